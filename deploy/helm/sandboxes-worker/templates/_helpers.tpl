{{/* The name of every object of the release. */}}
{{- define "sandboxes-worker.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sandboxes-worker.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sandboxes-worker.labels" -}}
{{ include "sandboxes-worker.selectorLabels" . }}
app.kubernetes.io/version: {{ include "sandboxes-worker.tag" . | quote }}
app.kubernetes.io/component: worker
app.kubernetes.io/part-of: sandboxes-for-temporal
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "sandboxes-worker.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/* The worker's ServiceAccount's namespace: the release's. */}}
{{- define "sandboxes-worker.serviceAccountNamespace" -}}
{{- .Release.Namespace -}}
{{- end -}}

{{/* The pod's grace period: the worker's drain, then its activities' shutdown, then a margin. */}}
{{- define "sandboxes-worker.gracePeriod" -}}
{{- $grace := add .Values.shutdownTimeoutSeconds .Values.terminationGraceExtraSeconds -}}
{{- if .Values.versioning.enabled -}}
{{- $grace = add $grace .Values.versioning.drainTimeoutSeconds .Values.versioning.drainedQueryWindowSeconds -}}
{{- end -}}
{{- $grace -}}
{{- end -}}

{{/* The agent's image: as set, or sandboxes-agent with the worker's tag. */}}
{{- define "sandboxes-worker.agentImage" -}}
{{- default (printf "sandboxes-agent:%s" (include "sandboxes-worker.tag" .)) .Values.sandboxes.agent.image -}}
{{- end -}}

{{/* The egress proxy's objects: Deployment, Service, NetworkPolicy, PodDisruptionBudget. */}}
{{- define "sandboxes-worker.egressProxyName" -}}
{{- printf "%s-egress-proxy" (include "sandboxes-worker.fullname" . | trunc 49 | trimSuffix "-") -}}
{{- end -}}

{{/* The egress proxy's pods: what its Service and PodDisruptionBudget select, and what each
sandbox's NetworkPolicy lets the sandbox reach. Apart from the worker's own, so that neither
policy selects the other's pods. */}}
{{- define "sandboxes-worker.egressProxySelectorLabels" -}}
app.kubernetes.io/name: sandboxes-egress-proxy
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sandboxes-worker.egressProxyLabels" -}}
{{ include "sandboxes-worker.egressProxySelectorLabels" . }}
app.kubernetes.io/version: {{ include "sandboxes-worker.tag" . | quote }}
app.kubernetes.io/component: egress-proxy
app.kubernetes.io/part-of: sandboxes-for-temporal
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The same selector as "k=v,k2=v2", for the worker (SANDBOXES_KUBERNETES_EGRESS_PROXY_POD_SELECTOR). */}}
{{- define "sandboxes-worker.egressProxySelector" -}}
{{- $pairs := list -}}
{{- range $k, $v := include "sandboxes-worker.egressProxySelectorLabels" . | fromYaml -}}
{{- $pairs = append $pairs (printf "%s=%v" $k $v) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* Where the signing key is mounted, in the worker's pods and the proxy's. */}}
{{- define "sandboxes-worker.egressProxyKeyDir" -}}
/etc/sandboxes-egress-proxy
{{- end -}}

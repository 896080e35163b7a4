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

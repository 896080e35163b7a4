package dev.sandboxes.model;

import java.util.List;

/**
 * The Temporal namespace lacks search attributes that sandboxes, volumes and batches record
 * (their phase, image, tags...), so nothing of theirs can start there. Registered once per
 * namespace: {@code sandbox setup} on a self-hosted server (workers with the plugin also register
 * them when they start, where the server allows it), or with {@code tcld} / the Cloud UI on
 * Temporal Cloud. Type {@value #TYPE}.
 */
public class SearchAttributesMissingException extends SandboxException {
  /** This error's type, as clients and failures carry it. */
  public static final String TYPE = "SearchAttributesMissing";

  private final String namespace;
  private final List<String> missing;

  /**
   * {@code namespace} lacks {@code missing}; the message says how to register them.
   *
   * @param namespace the namespace that lacks them
   * @param missing the names of the attributes it lacks (or the one the server named)
   * @param detail why they could not be registered, or null
   */
  public SearchAttributesMissingException(String namespace, List<String> missing, String detail) {
    this("namespace " + namespace + " lacks the sandbox search attribute"
        + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + (detail == null ? "" : " (" + detail + ")")
        + "; register them once with `sandbox setup --namespace " + namespace + " --address HOST:PORT`"
        + " (on Temporal Cloud: tcld namespace search-attributes add, or the Cloud UI)", namespace, missing);
  }

  private SearchAttributesMissingException(String message, String namespace, List<String> missing) {
    super(TYPE, message);
    this.namespace = namespace;
    this.missing = List.copyOf(missing);
  }

  /**
   * An attribute of a sandbox attribute's name is registered in {@code namespace} with another
   * type: registering cannot fix that (Temporal does not change an attribute's type).
   */
  public static SearchAttributesMissingException wrongType(String namespace, String name, Object have, Object need) {
    return new SearchAttributesMissingException("search attribute " + name + " is registered in namespace "
        + namespace + " as " + have + "; sandboxes need " + need + " (remove it, or run sandboxes in another namespace)",
        namespace, List.of(name));
  }

  /** The namespace that lacks them. */
  public String namespace() {
    return namespace;
  }

  /** The names of the missing attributes. */
  public List<String> missing() {
    return missing;
  }
}

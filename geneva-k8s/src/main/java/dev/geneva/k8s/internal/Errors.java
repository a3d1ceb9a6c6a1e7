package dev.geneva.k8s.internal;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Error text safe to show: status message only, never request headers or tokens. */
public final class Errors {
  private Errors() {}

  /**
   * The API server's message for an error.
   *
   * @param e the error
   * @return the message
   */
  public static String safeMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    // Defensive: drop anything that looks like a bearer token.
    return m.replaceAll("(?i)bearer\\s+[A-Za-z0-9._~+/=-]+", "Bearer <redacted>");
  }
}

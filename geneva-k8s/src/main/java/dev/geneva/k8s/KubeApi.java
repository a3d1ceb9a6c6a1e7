package dev.geneva.k8s;

import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.ApiCalls;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A fabric8 client that fails fast, for tools that talk to the API server the way the SDK does (the
 * {@code geneva} CLI's {@code clusters delete}, {@code doctor}, {@code manifests --apply}).
 *
 * <p>fabric8 (8.0.0) retries every request on a 5xx or I/O error up to 10 times, about 19 s per
 * call, also when the connection is refused, and ignores a 429's {@code Retry-After}. This client
 * has fabric8's retry off and a connect timeout of at most 5 s; {@link #call} retries 429 (after
 * its {@code Retry-After}), 5xx and I/O errors within a budget and fails at once, with "Cannot
 * reach the API server at ...", when the server cannot be reached at all.
 *
 * <pre>{@code
 * try (KubeApi api = KubeApi.connect(KubeAuth.kubeconfig())) {
 *   Pod p = api.call("get pod x", Duration.ofSeconds(10),
 *       () -> api.client().pods().inNamespace("geneva").withName("x").get());
 * }
 * }</pre>
 */
public final class KubeApi implements AutoCloseable {
  private final ApiCalls.Client api;

  private KubeApi(ApiCalls.Client api) {
    this.api = api;
  }

  /**
   * Resolves the auth and opens a client.
   *
   * @param auth how to reach the API server
   * @return the client; close it
   */
  public static KubeApi connect(KubeAuth auth) {
    return connect(Objects.requireNonNull(auth, "auth").resolve());
  }

  /**
   * Opens a client for a resolved config (which is not changed).
   *
   * @param config the config
   * @return the client; close it
   */
  public static KubeApi connect(Config config) {
    return new KubeApi(ApiCalls.newClient(Objects.requireNonNull(config, "config")));
  }

  /**
   * The fabric8 client, without fabric8's retries: a call made on it directly fails on its first
   * error; make calls through {@link #call} to retry transient ones.
   *
   * @return the client
   */
  public KubernetesClient client() {
    return api.client();
  }

  /**
   * The API server's URL, for messages.
   *
   * @return the master URL
   */
  public String masterUrl() {
    return api.calls().masterUrl();
  }

  /**
   * Runs one API call, retrying 429 (after its {@code Retry-After}), 500, 502, 503, 504 and I/O
   * errors with backoff until {@code budget} is spent.
   *
   * @param what the call, for the log, e.g. "delete RayCluster geneva/x"
   * @param budget how long retries may take in all
   * @param op the call
   * @param <T> its result
   * @return the result
   * @throws RayClusterException "Cannot reach the API server at ..." when the connection is
   *     refused, the host is unknown or the connect times out (not retried)
   * @throws KubernetesClientException any other failure, the last one when retries ran out
   */
  public <T> T call(String what, Duration budget, Supplier<T> op) {
    return api.calls().call(what, budget, op);
  }

  /**
   * Whether a failure means the API server could not be reached at all (refused, unknown host, no
   * route, connect timeout).
   *
   * @param e the failure
   * @return true when unreachable
   */
  public static boolean isUnreachable(Throwable e) {
    return ApiCalls.isUnreachable(e);
  }

  /**
   * The error for an API server that cannot be reached, naming its URL and what to check.
   *
   * @param e the failure
   * @return "Cannot reach the API server at URL: reason; check ..."
   */
  public RayClusterException unreachable(Throwable e) {
    return api.calls().unreachable(e);
  }

  /** Closes the client. */
  @Override
  public void close() {
    api.client().close();
  }

  @Override
  public String toString() {
    return "KubeApi{" + masterUrl() + "}";
  }
}

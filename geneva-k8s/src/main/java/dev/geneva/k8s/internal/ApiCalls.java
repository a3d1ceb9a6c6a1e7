package dev.geneva.k8s.internal;

import dev.geneva.k8s.RayClusterException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's own retry of its API calls, in place of fabric8's.
 *
 * <p>fabric8 (8.0.0) retries every request, POST included, on any 5xx answer or I/O error, up to
 * {@code requestRetryBackoffLimit} (10) times with exponential backoff (about 19 s in all), and
 * never retries a 429 (its {@code Retry-After} is ignored). So a refused connection took ~19 s per
 * call, and a create whose answer was lost was re-sent behind the SDK's back. Clients made by
 * {@link #newClient} turn fabric8's retry off and cap the connect timeout; each call the SDK makes
 * goes through {@link #call}, which retries 429 (after {@code Retry-After}), 5xx and I/O errors
 * within a time budget, and fails at once when the API server cannot be reached at all.
 */
public final class ApiCalls {
  private static final Logger LOG = LoggerFactory.getLogger(ApiCalls.class);

  /** The connect timeout of the SDK's clients, unless the config asks for less. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The longest {@code Retry-After} honoured; longer ones are cut to this. */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

  private static final long FIRST_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 2_000;

  private final String masterUrl;
  private final RetryAfter retryAfter = new RetryAfter();

  private ApiCalls(String masterUrl) {
    this.masterUrl = masterUrl;
  }

  /**
   * A wrapper for a client made elsewhere (its own fabric8 retries stay on; a 429's {@code
   * Retry-After} is read from the answer's {@code Status} details only).
   *
   * @param client the client
   * @return the wrapper
   */
  public static ApiCalls forClient(KubernetesClient client) {
    return new ApiCalls(client.getConfiguration().getMasterUrl());
  }

  /**
   * A client for the SDK's calls: fabric8's retry off (the calls retry through {@link #call}), a
   * connect timeout of at most {@link #CONNECT_TIMEOUT}, and an interceptor that remembers a 429's
   * {@code Retry-After}. The config itself is not changed (it may be shared).
   *
   * @param config the resolved config
   * @return the client and its call wrapper
   */
  public static Client newClient(Config config) {
    ApiCalls calls = new ApiCalls(config.getMasterUrl());
    RequestConfig noRetry = withoutRetry(config.getRequestConfig());
    long connectMs =
        config.getConnectionTimeout() > 0
            ? Math.min(config.getConnectionTimeout(), CONNECT_TIMEOUT.toMillis())
            : CONNECT_TIMEOUT.toMillis();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientBuilderConsumer(
                b ->
                    b.connectTimeout(connectMs, TimeUnit.MILLISECONDS)
                        .tag(noRetry)
                        .addOrReplaceInterceptor("geneva-retry-after", calls.retryAfter))
            .build();
    return new Client(client, calls);
  }

  /**
   * A client and the wrapper of its calls.
   *
   * @param client the fabric8 client (no fabric8 retries)
   * @param calls the wrapper
   */
  public record Client(KubernetesClient client, ApiCalls calls) {}

  private static RequestConfig withoutRetry(RequestConfig rc) {
    RequestConfig copy =
        new RequestConfigBuilder()
            .withWatchReconnectInterval(rc.getWatchReconnectInterval())
            .withWatchReconnectLimit(rc.getWatchReconnectLimit())
            .withRequestTimeout(rc.getRequestTimeout())
            .withScaleTimeout(rc.getScaleTimeout())
            .withLoggingInterval(rc.getLoggingInterval())
            .withUploadRequestTimeout(rc.getUploadRequestTimeout())
            .withRequestRetryBackoffInterval(rc.getRequestRetryBackoffInterval())
            .withRequestRetryBackoffLimit(0)
            .build();
    copy.setImpersonateUsername(rc.getImpersonateUsername());
    if (rc.getImpersonateGroups() != null) {
      copy.setImpersonateGroups(rc.getImpersonateGroups());
    }
    copy.setImpersonateExtras(rc.getImpersonateExtras());
    return copy;
  }

  /**
   * The API server's URL, for messages.
   *
   * @return the master URL
   */
  public String masterUrl() {
    return masterUrl;
  }

  /**
   * Runs one API call, retrying 429 (after its {@code Retry-After}, else a backoff), 5xx and I/O
   * errors until {@code budget} is spent. A refused or unresolvable connection is not retried: it
   * fails at once with {@link #unreachable}. Other answers (4xx) are thrown as they are.
   *
   * @param what the call, for the log, e.g. "create RayCluster geneva/x"
   * @param budget how long retries may take in all
   * @param abort checked before each retry: true stops retrying
   * @param op the call
   * @param <T> its result
   * @return the result
   * @throws KubernetesClientException the last failure
   * @throws RayClusterException when the API server cannot be reached
   */
  public <T> T call(String what, Duration budget, BooleanSupplier abort, Supplier<T> op) {
    return call(what, budget, abort, false, op);
  }

  /**
   * Runs one API call as {@link #call(String, Duration, BooleanSupplier, Supplier)} does, but also
   * retries an unreachable API server within the budget (for a delete that must not give up on a
   * network blip).
   *
   * @param what the call, for the log
   * @param budget how long retries may take in all
   * @param abort checked before each retry: true stops retrying
   * @param retryUnreachable true to retry a refused connection too
   * @param op the call
   * @param <T> its result
   * @return the result
   */
  public <T> T call(
      String what,
      Duration budget,
      BooleanSupplier abort,
      boolean retryUnreachable,
      Supplier<T> op) {
    long deadline = System.nanoTime() + budget.toNanos();
    long backoffMs = FIRST_BACKOFF_MS;
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        return op.get();
      } catch (KubernetesClientException e) {
        if (isUnreachable(e) && !retryUnreachable) {
          throw unreachable(e);
        }
        if (!(isRetryable(e) || isUnreachable(e)) || abort.getAsBoolean()) {
          throw e;
        }
        long waitMs = backoffMs;
        if (e.getCode() == 429) {
          Optional<Duration> after = retryAfter.take().or(() -> retryAfterOf(e.getStatus()));
          if (after.isPresent()) {
            waitMs = Math.min(after.get().toMillis(), MAX_RETRY_AFTER.toMillis());
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (waitMs > left) {
          throw e;
        }
        LOG.debug(
            "{} failed (attempt {}): {}; retrying in {} ms", what, attempt, describe(e), waitMs);
        sleep(waitMs, e);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * Runs one API call with a budget and no abort, see {@link #call(String, Duration,
   * BooleanSupplier, Supplier)}.
   *
   * @param what the call, for the log
   * @param budget how long retries may take in all
   * @param op the call
   * @param <T> its result
   * @return the result
   */
  public <T> T call(String what, Duration budget, Supplier<T> op) {
    return call(what, budget, () -> false, op);
  }

  private static void sleep(long ms, KubernetesClientException cause) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      cause.addSuppressed(ie);
      throw cause;
    }
  }

  /**
   * Whether a failure is worth another try: 429, 500, 502, 503, 504, or an I/O error (a reset, a
   * timeout) that was not an interrupt.
   *
   * @param e the failure
   * @return true to retry
   */
  static boolean isRetryable(KubernetesClientException e) {
    int code = e.getCode();
    if (code == 429 || code == 500 || code == 502 || code == 503 || code == 504) {
      return true;
    }
    if (code > 0) {
      return false;
    }
    Throwable io = find(e, IOException.class);
    boolean interrupted =
        io instanceof InterruptedIOException && !(io instanceof SocketTimeoutException);
    return io != null && !interrupted && !Thread.currentThread().isInterrupted();
  }

  /**
   * Whether the API server could not be reached at all (connection refused, unknown host, no route,
   * connect timeout): retrying would only wait.
   *
   * @param e the failure
   * @return true when unreachable
   */
  public static boolean isUnreachable(Throwable e) {
    return find(e, ConnectException.class) != null
        || find(e, UnknownHostException.class) != null
        || find(e, NoRouteToHostException.class) != null
        || find(e, HttpConnectTimeoutException.class) != null;
  }

  /**
   * The error for an API server that cannot be reached.
   *
   * @param e the failure
   * @return "cannot reach the API server at URL: reason; fix"
   */
  public RayClusterException unreachable(Throwable e) {
    return new RayClusterException(
        "Cannot reach the API server at "
            + masterUrl
            + ": "
            + reachReason(e)
            + "; check the cluster endpoint (KubeAuth, kubeconfig's server), that the cluster is"
            + " running and that this machine can reach it (VPN, firewall, authorized networks)",
        e);
  }

  private static String reachReason(Throwable e) {
    if (find(e, UnknownHostException.class) != null) {
      return "unknown host (" + find(e, UnknownHostException.class).getMessage() + ")";
    }
    if (find(e, HttpConnectTimeoutException.class) != null) {
      return "connect timed out";
    }
    if (find(e, NoRouteToHostException.class) != null) {
      return "no route to host";
    }
    return "connection refused";
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String describe(KubernetesClientException e) {
    return e.getCode() > 0
        ? "HTTP " + e.getCode()
        : String.valueOf(
            Optional.ofNullable(find(e, IOException.class)).map(Object::toString).orElse("error"));
  }

  private static Optional<Duration> retryAfterOf(Status status) {
    if (status == null
        || status.getDetails() == null
        || status.getDetails().getRetryAfterSeconds() == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Math.max(0, status.getDetails().getRetryAfterSeconds())));
  }

  /**
   * Parses {@code Retry-After} in seconds (the form the API server sends); dates are not used by it
   * and count as absent.
   *
   * @param header the header's value, or null
   * @return the delay
   */
  static Optional<Duration> parseRetryAfter(String header) {
    if (header == null) {
      return Optional.empty();
    }
    try {
      long s = Long.parseLong(header.trim());
      return s < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Remembers the {@code Retry-After} of the last 429 (fabric8's exception does not carry headers).
   * The SDK makes its calls one at a time per client, so the last one is the call's.
   */
  private static final class RetryAfter implements Interceptor {
    private volatile Duration last;

    @Override
    public void after(
        HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> c) {
      if (response.code() == 429) {
        last = parseRetryAfter(response.header("Retry-After")).orElse(null);
      }
    }

    Optional<Duration> take() {
      Duration d = last;
      last = null;
      return Optional.ofNullable(d);
    }
  }
}

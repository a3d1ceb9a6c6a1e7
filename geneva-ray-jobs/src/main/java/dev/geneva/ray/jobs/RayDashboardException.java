package dev.geneva.ray.jobs;

import dev.geneva.GenevaException;
import java.net.URI;

/**
 * The Ray dashboard could not be reached, or answered a Jobs API call with an error. The message
 * names the dashboard URL and the call (never a bearer token); when the dashboard is unreachable it
 * adds the hint the client was built with (such as the port-forward and head pod).
 */
public class RayDashboardException extends GenevaException {
  private static final long serialVersionUID = 1L;

  /** {@link #statusCode()} when no HTTP response arrived. */
  public static final int UNREACHABLE = -1;

  /** The dashboard called. */
  private final URI dashboardUrl;

  /** The HTTP status, or {@link #UNREACHABLE}. */
  private final int statusCode;

  /** The response body, possibly shortened. */
  private final String responseBody;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the URL and call
   * @param dashboardUrl the dashboard's base URL
   * @param statusCode the HTTP status, or {@link #UNREACHABLE}
   * @param responseBody the response body (possibly shortened), empty when unreachable
   * @param cause the underlying failure, may be null
   */
  public RayDashboardException(
      String message, URI dashboardUrl, int statusCode, String responseBody, Throwable cause) {
    super(message, cause);
    this.dashboardUrl = dashboardUrl;
    this.statusCode = statusCode;
    this.responseBody = responseBody == null ? "" : responseBody;
  }

  /**
   * The dashboard's base URL.
   *
   * @return the URL
   */
  public URI dashboardUrl() {
    return dashboardUrl;
  }

  /**
   * The HTTP status of the failed call.
   *
   * @return the status, or {@link #UNREACHABLE}
   */
  public int statusCode() {
    return statusCode;
  }

  /**
   * Whether no HTTP response arrived at all (connection refused, reset, timed out).
   *
   * @return true when unreachable
   */
  public boolean unreachable() {
    return statusCode == UNREACHABLE;
  }

  /**
   * Whether trying again later may succeed: no answer at all (connection refused, reset, timed
   * out), HTTP 408, 429 or any 5xx (a dashboard restarting, a proxy's HTML error page), or a 2xx
   * answer whose body was not the JSON expected (a truncated or foreign answer). Other 4xx answers
   * (400, 401, 403, 404, ...) are not transient.
   *
   * @return true when transient
   */
  public boolean isTransient() {
    return transientStatus(statusCode) || (statusCode >= 200 && statusCode < 300);
  }

  /**
   * Whether an HTTP status (or {@link #UNREACHABLE}) is worth trying again: none, 408, 429, 5xx.
   *
   * @param statusCode the status
   * @return true when transient
   */
  public static boolean transientStatus(int statusCode) {
    return statusCode == UNREACHABLE
        || statusCode == 408
        || statusCode == 429
        || (statusCode >= 500 && statusCode < 600);
  }

  /**
   * The response body (possibly shortened).
   *
   * @return the body, empty when unreachable
   */
  public String responseBody() {
    return responseBody;
  }
}

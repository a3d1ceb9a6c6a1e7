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
   * The response body (possibly shortened).
   *
   * @return the body, empty when unreachable
   */
  public String responseBody() {
    return responseBody;
  }
}

package dev.geneva.k8s.internal;

import dev.geneva.k8s.RayClusterException;
import dev.geneva.k8s.ReadinessCheck;
import dev.geneva.k8s.ReadinessContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits until the Ray dashboard answers {@code GET /api/version}, then enforces the Ray version
 * policy ({@link RayVersions}): the cluster must run the declared, supported Ray version.
 */
public final class DashboardCheck implements ReadinessCheck {
  private static final Pattern RAY_VERSION =
      Pattern.compile("\"ray_version\"\\s*:\\s*\"([^\"]*)\"");

  @Override
  public void waitUntilReady(ReadinessContext ctx) throws InterruptedException {
    URI url = ctx.dashboardUrl().resolve("/api/version");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long backoffMs = 50;
    String last = "no answer yet";
    while (true) {
      ctx.checkCluster(); // a cluster deleted or failed meanwhile is not the dashboard's fault
      Duration remaining = ctx.remaining();
      if (remaining.isZero()) {
        throw new RayClusterException(
            "RayCluster "
                + ctx.clusterName()
                + " in namespace "
                + ctx.namespace()
                + ": the head pod is Ready but the Ray dashboard at "
                + url
                + " did not answer in time (last: "
                + last
                + "); check the head pod's logs (kubectl logs -n "
                + ctx.namespace()
                + " <head pod>) and that it listens on 8265 (dashboard-host 0.0.0.0)");
      }
      Duration timeout =
          remaining.compareTo(Duration.ofSeconds(2)) < 0 ? remaining : Duration.ofSeconds(2);
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = RAY_VERSION.matcher(response.body());
        if (response.statusCode() == 200 && m.find()) {
          if (!m.group(1).equals(ctx.rayVersion()) || !RayVersions.supported(m.group(1))) {
            throw RayVersions.runningMismatch(ctx.clusterName(), m.group(1), ctx.rayVersion());
          }
          return;
        }
        last = "HTTP " + response.statusCode();
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
      long sleep = Math.min(backoffMs, Math.max(1, ctx.remaining().toMillis()));
      ctx.pause(Duration.ofMillis(sleep));
      backoffMs = Math.min(backoffMs * 2, 1000);
    }
  }

  @Override
  public String toString() {
    return "dashboard answers /api/version";
  }
}

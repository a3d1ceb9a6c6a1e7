package dev.geneva.k8s.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The requests a {@code RayCluster} start and close make to the mock API server, for tests that
 * check how they are authenticated (the cloud auth modules' end-to-end tests).
 */
public final class SdkRequests {
  /**
   * The {@code Authorization} header of {@link KubernetesMockServer#createClient()}'s client (the
   * test's own and {@link FakeKubeRay}'s): fabric8's fixed mock token.
   */
  public static final String MOCK_CLIENT_AUTHORIZATION = "Bearer secret";

  /** A {@code Status} body for a 401, as the API server sends it. */
  public static final String UNAUTHORIZED_STATUS =
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
          + "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";

  private SdkRequests() {}

  /**
   * Every request the server received and no one took yet, in arrival order.
   *
   * @param server the server
   * @return the requests
   * @throws InterruptedException when interrupted
   */
  public static List<RecordedRequest> take(KubernetesMockServer server)
      throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  /**
   * The request's {@code Authorization} header.
   *
   * @param r the request
   * @return the header, or "null" when absent
   */
  public static String authorization(RecordedRequest r) {
    return String.valueOf(r.getHeader("Authorization"));
  }

  /**
   * Method and path, for messages.
   *
   * @param r the request
   * @return e.g. {@code POST /apis/ray.io/v1/namespaces/geneva/rayclusters}
   */
  public static String describe(RecordedRequest r) {
    return r.getMethod() + " " + r.getPath();
  }

  /**
   * The path of a namespace's RayClusters.
   *
   * @param namespace the namespace
   * @return the path
   */
  public static String rayClusters(String namespace) {
    return "/apis/ray.io/v1/namespaces/" + namespace + "/rayclusters";
  }

  /**
   * The SDK's create of the RayCluster.
   *
   * @param namespace the namespace
   * @return the matcher
   */
  public static Predicate<RecordedRequest> rayClusterCreate(String namespace) {
    return r -> is(r, "POST", rayClusters(namespace));
  }

  /**
   * The SDK's delete of the RayCluster.
   *
   * @param namespace the namespace
   * @param cluster the RayCluster's name
   * @return the matcher
   */
  public static Predicate<RecordedRequest> rayClusterDelete(String namespace, String cluster) {
    return r -> is(r, "DELETE", rayClusters(namespace) + "/" + cluster);
  }

  /**
   * The SDK's watch of its RayCluster (by name; the fake operator watches them all).
   *
   * @param namespace the namespace
   * @param cluster the RayCluster's name
   * @return the matcher
   */
  public static Predicate<RecordedRequest> rayClusterWatch(String namespace, String cluster) {
    return r ->
        "GET".equals(r.getMethod())
            && r.getPath().startsWith(rayClusters(namespace) + "?")
            && r.getPath().contains("fieldSelector=metadata.name%3D" + cluster)
            && r.getPath().contains("watch=true");
  }

  /**
   * The SDK's watch of the cluster's pods.
   *
   * @param namespace the namespace
   * @param cluster the RayCluster's name
   * @return the matcher
   */
  public static Predicate<RecordedRequest> podWatch(String namespace, String cluster) {
    return r ->
        "GET".equals(r.getMethod())
            && r.getPath().startsWith("/api/v1/namespaces/" + namespace + "/pods?")
            && r.getPath().contains("labelSelector=ray.io%2Fcluster%3D" + cluster)
            && r.getPath().contains("watch=true");
  }

  /**
   * Requests only the SDK makes in a start and close (neither the test's client nor the fake
   * operator does): preflight, create, the readiness watches and the delete.
   *
   * @param namespace the namespace
   * @param cluster the RayCluster's name
   * @return matchers by description
   */
  public static Map<String, Predicate<RecordedRequest>> keyRequests(
      String namespace, String cluster) {
    Map<String, Predicate<RecordedRequest>> m = new LinkedHashMap<>();
    m.put("preflight namespace read", r -> is(r, "GET", "/api/v1/namespaces/" + namespace));
    m.put(
        "preflight access reviews",
        r -> is(r, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"));
    m.put("RayCluster create", rayClusterCreate(namespace));
    m.put("RayCluster watch", rayClusterWatch(namespace, cluster));
    m.put("pod watch", podWatch(namespace, cluster));
    m.put("RayCluster delete on close", rayClusterDelete(namespace, cluster));
    return m;
  }

  /**
   * Checks that every request is the SDK's (its authorization matches) or the mock client's, and
   * that each of the {@link #keyRequests} happened and carried the SDK's authorization; returns the
   * SDK's requests.
   *
   * @param all the requests of a start and close
   * @param namespace the namespace
   * @param cluster the RayCluster's name
   * @param sdkAuthorization whether an {@code Authorization} header is the SDK's, e.g. starts with
   *     {@code "Bearer k8s-aws-v1."}
   * @return the SDK's requests, in arrival order
   */
  public static List<RecordedRequest> sdkOnly(
      List<RecordedRequest> all,
      String namespace,
      String cluster,
      Predicate<String> sdkAuthorization) {
    assertThat(all)
        .allSatisfy(
            r ->
                assertThat(authorization(r))
                    .as("Authorization of %s", describe(r))
                    .matches(
                        a -> a.equals(MOCK_CLIENT_AUTHORIZATION) || sdkAuthorization.test(a),
                        "the SDK's or the mock client's"));
    keyRequests(namespace, cluster)
        .forEach(
            (what, kind) ->
                assertThat(all.stream().filter(kind).toList())
                    .as(what)
                    .isNotEmpty()
                    .allSatisfy(
                        r ->
                            assertThat(authorization(r))
                                .as("Authorization of %s", describe(r))
                                .matches(sdkAuthorization, "the SDK's")));
    return all.stream().filter(r -> sdkAuthorization.test(authorization(r))).toList();
  }

  /**
   * Makes the server answer the next RayCluster create with a 401, once.
   *
   * @param server the server
   * @param namespace the namespace
   */
  public static void refuseCreateOnce(KubernetesMockServer server, String namespace) {
    server
        .expect()
        .post()
        .withPath(rayClusters(namespace))
        .andReturn(401, UNAUTHORIZED_STATUS)
        .once();
  }

  /**
   * Checks that every request carries the expected credential.
   *
   * @param requests the requests, e.g. {@link #sdkOnly}'s
   * @param credential what a request carries, e.g. {@link #authorization} or a value read from it
   * @param expected the credential each must carry
   */
  public static void assertEveryCarries(
      List<RecordedRequest> requests,
      Function<RecordedRequest, String> credential,
      String expected) {
    assertThat(requests)
        .allSatisfy(r -> assertThat(credential.apply(r)).as(describe(r)).isEqualTo(expected));
  }

  /**
   * Checks one refresh after a 401: requests of the refused kind came twice (the refused one and
   * the same one again), every SDK request up to the refused one carries the first credential,
   * every later one (at least one: the rest of start, and close) the second, and the last is the
   * RayCluster's delete.
   *
   * @param sdk the SDK's requests of a start and close, in arrival order
   * @param refusedKind which kind of request the server refused once
   * @param credential what a request carries, e.g. {@link #authorization}
   * @param first the credential before the refresh
   * @param second the credential after it
   * @param namespace the namespace
   * @param cluster the RayCluster's name
   */
  public static void assertOneRefreshAndRetry(
      List<RecordedRequest> sdk,
      Predicate<RecordedRequest> refusedKind,
      Function<RecordedRequest, String> credential,
      String first,
      String second,
      String namespace,
      String cluster) {
    List<RecordedRequest> ofKind = sdk.stream().filter(refusedKind).toList();
    assertThat(ofKind).extracting(SdkRequests::describe).hasSize(2);
    RecordedRequest refused = ofKind.get(0);
    RecordedRequest retry = ofKind.get(1);
    assertThat(describe(retry)).isEqualTo(describe(refused));
    assertThat(credential.apply(refused)).isEqualTo(first);
    assertThat(credential.apply(retry)).isEqualTo(second);

    int refusedAt = sdk.indexOf(refused);
    assertEveryCarries(sdk.subList(0, refusedAt + 1), credential, first);
    List<RecordedRequest> after = sdk.subList(refusedAt + 1, sdk.size());
    assertThat(after).isNotEmpty();
    assertEveryCarries(after, credential, second);
    assertThat(sdk.get(sdk.size() - 1)).matches(rayClusterDelete(namespace, cluster));
  }

  private static boolean is(RecordedRequest r, String method, String path) {
    return method.equals(r.getMethod()) && path.equals(r.getPath());
  }
}

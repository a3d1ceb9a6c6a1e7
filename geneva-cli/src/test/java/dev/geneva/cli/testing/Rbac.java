package dev.geneva.cli.testing;

// Copied from geneva-k8s/src/test/java/dev/geneva/k8s/testing (test jars are not shared).

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Answers {@code SelfSubjectAccessReview}s on the mock server: the CRUD mode only echoes the review
 * back (no status, so nothing would be allowed), so an expectation decides per verb.
 */
public final class Rbac {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private Rbac() {}

  /**
   * Allows everything except the listed permissions.
   *
   * @param server the mock server
   * @param denied e.g. {@code "create rayclusters"} or {@code "create pods/portforward"}
   * @return the reviews asked, as "verb resource[/sub]"
   */
  public static List<String> allowAllExcept(KubernetesMockServer server, String... denied) {
    Set<String> deny = Set.of(denied);
    List<String> asked = new CopyOnWriteArrayList<>();
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        .andReply(
            201,
            request -> {
              SelfSubjectAccessReview review =
                  JSON.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
              ResourceAttributes a = review.getSpec().getResourceAttributes();
              String key =
                  a.getVerb()
                      + " "
                      + a.getResource()
                      + (a.getSubresource() == null ? "" : "/" + a.getSubresource());
              asked.add(key);
              boolean allowed = !deny.contains(key);
              review.setStatus(
                  new SubjectAccessReviewStatusBuilder()
                      .withAllowed(allowed)
                      .withReason(allowed ? "test allows it" : null)
                      .build());
              return review;
            })
        .always();
    return asked;
  }
}

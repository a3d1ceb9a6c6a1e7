package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.examples.docs.EksDocs;
import dev.geneva.examples.docs.GkeDocs;
import dev.geneva.examples.docs.KubernetesDocs;
import dev.geneva.k8s.auth.KubeAuth;
import org.junit.jupiter.api.Test;

/** The doc snippets that need no cluster or cloud account run, not only compile. */
class OfflineSnippetsTest {
  @Test
  void manifestsAndIamDocumentsBuild() {
    assertThat(KubernetesDocs.manifests().toYaml()).contains("geneva-ray-runner");
    KubernetesDocs.clientRules();
    assertThat(EksDocs.iamDocuments().clientRolePolicy()).contains("eks:DescribeCluster");
    assertThat(EksDocs.manifests().serviceAccount().getMetadata().getAnnotations())
        .containsKey("eks.amazonaws.com/role-arn");
    assertThat(GkeDocs.manifests().serviceAccount().getMetadata().getAnnotations())
        .containsKey("iam.gke.io/gcp-service-account");
    KubeAuth auth = GkeDocs.auth(); // builds without touching credentials
    assertThat(auth.toString()).contains("geneva");
  }
}

package dev.geneva.k8s.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForMethodTest {

  @Test
  void forMethod_whenEksWithoutProvider_namesModuleToAdd() {
    Map<String, String> params = Map.of("cluster_name", "geneva", "region", "us-east-1");

    assertThatThrownBy(() -> KubeAuth.forMethod(ConfigMethod.EKS_AUTH, params))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "ConfigMethod.EKS_AUTH needs geneva-cloud-aws on the classpath: add"
                + " dev.geneva:geneva-cloud-aws to your dependencies");
  }

  @Test
  void forMethod_whenProviderRegisteredInServices_isFoundAndGetsParams() {
    Map<String, String> params =
        Map.of("cluster_name", "geneva", "project", "p1", "location", "us-central1");

    KubeAuth auth = KubeAuth.forMethod(ConfigMethod.GKE, params);

    assertThat(auth).isInstanceOf(FakeGkeAuthProvider.FakeAuth.class);
    assertThat(((FakeGkeAuthProvider.FakeAuth) auth).params).isEqualTo(params);
    assertThat(auth.resolve().getMasterUrl()).isEqualTo("https://gke.invalid/geneva/");
  }

  @Test
  void forMethod_whenLocalWithFileAndContext_returnsKubeconfigAuth() {
    KubeAuth auth =
        KubeAuth.forMethod(ConfigMethod.LOCAL, Map.of("kubeconfig", "/tmp/kc", "context", "prod"));

    assertThat(auth.toString()).isEqualTo("KubeAuth.kubeconfig(file=/tmp/kc, context=prod)");
  }

  @Test
  void forMethod_whenLocalWithoutParams_returnsDefaultKubeconfig() {
    assertThat(KubeAuth.forMethod(ConfigMethod.LOCAL, Map.of()).toString())
        .isEqualTo("KubeAuth.kubeconfig(file=KUBECONFIG or ~/.kube/config, context=current)");
  }

  @Test
  void forMethod_whenInCluster_returnsInClusterAuth() {
    assertThat(KubeAuth.forMethod(ConfigMethod.IN_CLUSTER, Map.of()).toString())
        .startsWith("KubeAuth.inCluster(");
  }

  @Test
  void forMethod_whenLocalGetsCloudParam_namesUnknownAndAccepted() {
    assertThatThrownBy(() -> KubeAuth.forMethod(ConfigMethod.LOCAL, Map.of("region", "x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ConfigMethod.LOCAL does not take parameters [region]")
        .hasMessageContaining("[context, kubeconfig]");
  }

  @Test
  void forMethod_whenMethodNull_rejects() {
    assertThatThrownBy(() -> KubeAuth.forMethod(null, Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("LOCAL, IN_CLUSTER, EKS_AUTH or GKE");
  }
}

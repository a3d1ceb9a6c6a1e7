package dev.geneva.k8s.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.RayCluster;
import io.fabric8.kubernetes.client.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RayCluster.Builder}'s Python-style auth options: config method and its parameters. */
class RayClusterConfigMethodTest {

  @Test
  void build_whenConfigMethodAndParams_resolvesForMethodWithPythonParamNames() {
    RayCluster cluster =
        RayCluster.builder()
            .name("my-ray-cluster")
            .configMethod(ConfigMethod.GKE)
            .clusterName("geneva")
            .project("p1")
            .location("us-central1")
            .build();

    assertThat(cluster.name()).isEqualTo("my-ray-cluster");
    assertThat(cluster.configMethod()).contains(ConfigMethod.GKE);
    assertThat(cluster.auth()).isInstanceOf(FakeGkeAuthProvider.FakeAuth.class);
    assertThat(((FakeGkeAuthProvider.FakeAuth) cluster.auth()).params)
        .isEqualTo(Map.of("cluster_name", "geneva", "project", "p1", "location", "us-central1"));
    assertThat(cluster.auth().resolve().getMasterUrl()).isEqualTo("https://gke.invalid/geneva/");
  }

  @Test
  void build_whenRegionAndRoleName_passedUnderTheirParamNames() {
    RayCluster cluster =
        RayCluster.builder()
            .configMethod(ConfigMethod.GKE)
            .clusterName("c")
            .region("us-east-1")
            .roleName("geneva-client-role")
            .build();

    assertThat(cluster.authParams())
        .containsEntry(KubeAuthProvider.PARAM_CLUSTER_NAME, "c")
        .containsEntry(KubeAuthProvider.PARAM_REGION, "us-east-1")
        .containsEntry(KubeAuthProvider.PARAM_ROLE_NAME, "geneva-client-role");
  }

  @Test
  void build_whenAuthAndConfigMethodBothSet_namesBoth() {
    RayCluster.Builder b =
        RayCluster.builder().auth(KubeAuth.of(Config.empty())).configMethod(ConfigMethod.LOCAL);

    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.auth")
        .hasMessageContaining("RayCluster.configMethod")
        .hasMessageContaining("both set");
  }

  @Test
  void start_whenEksWithoutCloudAwsModule_namesModuleBeforeAnyApiCall() {
    RayCluster.Builder b =
        RayCluster.builder()
            .name("my-ray-cluster")
            .namespace("geneva")
            .configMethod(ConfigMethod.EKS_AUTH)
            .clusterName("geneva")
            .region("us-east-1")
            .roleName("geneva-client-role");

    // No API server exists here: reaching one would fail differently.
    assertThatThrownBy(b::start)
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "ConfigMethod.EKS_AUTH needs geneva-cloud-aws on the classpath: add"
                + " dev.geneva:geneva-cloud-aws to your dependencies");
  }

  @Test
  void build_whenCloudParamsWithoutConfigMethod_asksForConfigMethod() {
    assertThatThrownBy(() -> RayCluster.builder().clusterName("geneva").region("r").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cluster_name")
        .hasMessageContaining("RayCluster.configMethod is not");
  }

  @Test
  void clusterName_whenBlank_rejected() {
    assertThatThrownBy(() -> RayCluster.builder().clusterName(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.clusterName must not be blank");
  }

  @Test
  void toBuilder_whenMadeFromConfigMethod_keepsMethodAndRebuilds() {
    RayCluster cluster =
        RayCluster.builder()
            .configMethod(ConfigMethod.GKE)
            .clusterName("geneva")
            .project("p1")
            .location("us-central1")
            .build();

    RayCluster copy = cluster.toBuilder().build();

    assertThat(copy.configMethod()).contains(ConfigMethod.GKE);
    assertThat(copy.authParams()).isEqualTo(cluster.authParams());
  }

  @Test
  void build_whenLocalMethod_usesKubeconfig() {
    RayCluster cluster = RayCluster.builder().configMethod(ConfigMethod.LOCAL).build();

    assertThat(cluster.auth().toString())
        .isEqualTo("KubeAuth.kubeconfig(file=KUBECONFIG or ~/.kube/config, context=current)");
  }
}

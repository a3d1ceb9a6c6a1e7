package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.auth.ConfigMethod;
import org.junit.jupiter.api.Test;

/** The Python {@code ray_cluster(config_method=EKS_AUTH, ...)} call, ported to the builder. */
class RayClusterEksParityTest {

  @Test
  void build_whenEksAuthLikePython_resolvesEksAuthWithClusterRegionAndRole() {
    RayCluster cluster =
        RayCluster.builder()
            .name("my-ray-cluster")
            .namespace("geneva")
            .clusterName("geneva")
            .configMethod(ConfigMethod.EKS_AUTH)
            .region("us-east-1")
            .portForwarding(true)
            .roleName("geneva-client-role")
            .build();

    assertThat(cluster.name()).isEqualTo("my-ray-cluster");
    assertThat(cluster.auth()).isInstanceOf(EksAuth.class);
    EksAuth eks = (EksAuth) cluster.auth();
    assertThat(eks.clusterName()).isEqualTo("geneva");
    assertThat(eks.region()).isEqualTo("us-east-1");
    assertThat(eks.roleName()).contains("geneva-client-role");
  }
}

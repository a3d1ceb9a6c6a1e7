package dev.geneva.k8s.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.k8s.admin.ApplyResult.Applied;
import dev.geneva.k8s.admin.ApplyResult.Outcome;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class RayClusterManifestsApplyTest {
  static KubernetesMockServer server;
  KubernetesClient client;

  private static RayClusterManifests manifests(String namespace) {
    return RayClusterManifests.builder()
        .namespace(namespace)
        .eksRoleArn("arn:aws:iam::123456789012:role/geneva-ray-runner")
        .clientSubject(RbacSubject.user("geneva-client"))
        .build();
  }

  @Test
  void apply_whenRunTwice_createsThenLeavesEverythingUnchanged() {
    RayClusterManifests m = manifests("apply-twice");

    ApplyResult first = m.apply(client);
    ApplyResult second = m.apply(client);

    assertThat(first.objects()).hasSize(8).allMatch(a -> a.outcome() == Outcome.CREATED);
    assertThat(second.unchanged()).isTrue();
    assertThat(second.objects())
        .extracting(Applied::kind, Applied::name)
        .containsExactlyElementsOf(
            first.objects().stream()
                .map(a -> org.assertj.core.groups.Tuple.tuple(a.kind(), a.name()))
                .toList());
    ClusterRole stored = client.rbac().clusterRoles().withName("geneva-ray-runner-role").get();
    assertThat(stored.getRules()).isEqualTo(m.clusterRole().getRules());
    assertThat(
            client
                .serviceAccounts()
                .inNamespace("apply-twice")
                .withName("geneva-ray-runner")
                .get()
                .getMetadata()
                .getAnnotations())
        .containsEntry(
            "eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/geneva-ray-runner");
  }

  @Test
  void apply_whenObjectsExistDifferently_updatesThemAndKeepsForeignAnnotations() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("drift").endMetadata().build())
        .create();
    client
        .serviceAccounts()
        .inNamespace("drift")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("geneva-ray-runner")
                .withNamespace("drift")
                .withAnnotations(Map.of("team", "ml"))
                .endMetadata()
                .build())
        .create();
    RayClusterManifests m = manifests("drift");
    m.apply(client);
    ClusterRole tampered = client.rbac().clusterRoles().withName("geneva-ray-runner-role").get();
    tampered.setRules(
        java.util.List.of(
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get")
                .build()));
    client.resource(tampered).update();

    ApplyResult again = m.apply(client);

    assertThat(again.objects())
        .filteredOn(a -> a.name().equals("geneva-ray-runner-role"))
        .singleElement()
        .extracting(Applied::outcome)
        .isEqualTo(Outcome.UPDATED);
    assertThat(client.rbac().clusterRoles().withName("geneva-ray-runner-role").get().getRules())
        .isEqualTo(m.clusterRole().getRules());
    assertThat(
            client
                .serviceAccounts()
                .inNamespace("drift")
                .withName("geneva-ray-runner")
                .get()
                .getMetadata()
                .getAnnotations())
        .containsEntry("team", "ml")
        .containsKey("eks.amazonaws.com/role-arn");
  }

  @Test
  void apply_whenBindingPointsElsewhere_failsNamingBindingAndFix() {
    client
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("geneva-ray-runner-binding")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                .build())
        .create();

    assertThatThrownBy(() -> manifests("conflict").apply(client))
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("ClusterRoleBinding geneva-ray-runner-binding exists with roleRef")
        .hasMessageContaining("ClusterRole/view")
        .hasMessageContaining("kubectl delete clusterrolebinding geneva-ray-runner-binding");
  }
}

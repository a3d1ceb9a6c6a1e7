package dev.geneva.k8s.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class RayClusterManifestsTest {
  // Verbatim from the deployment guide ("Basic Kubernetes setup"), with KSA_NAME and NAMESPACE set.
  private static final String GUIDE_CLUSTER_ROLE =
      """
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: geneva-ray-runner-role
      rules:
      - apiGroups: [""]
        resources: ["pods"]
        verbs: ["get", "list", "watch"]
      - apiGroups: ["ray.io"]
        resources: ["rayclusters"]
        verbs: ["get", "patch", "delete"]
      """;
  private static final String GUIDE_CLUSTER_ROLE_BINDING =
      """
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata:
        name: geneva-ray-runner-binding
      subjects:
      - kind: ServiceAccount
        name: geneva-ray-runner
        namespace: geneva
      roleRef:
        kind: ClusterRole
        name: geneva-ray-runner-role
        apiGroup: rbac.authorization.k8s.io
      """;

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @Test
  void clusterRole_whenDefaults_hasGuideRulesVerbatim() {
    ClusterRole guide = SERIALIZATION.unmarshal(GUIDE_CLUSTER_ROLE, ClusterRole.class);

    ClusterRole ours = RayClusterManifests.builder().build().clusterRole();

    assertThat(ours.getMetadata().getName()).isEqualTo(guide.getMetadata().getName());
    assertThat(ours.getRules()).isEqualTo(guide.getRules());
  }

  @Test
  void clusterRoleBinding_whenDefaults_matchesGuideBinding() {
    ClusterRoleBinding guide =
        SERIALIZATION.unmarshal(GUIDE_CLUSTER_ROLE_BINDING, ClusterRoleBinding.class);

    ClusterRoleBinding ours = RayClusterManifests.builder().build().clusterRoleBinding();

    assertThat(ours.getMetadata().getName()).isEqualTo(guide.getMetadata().getName());
    assertThat(ours.getSubjects()).isEqualTo(guide.getSubjects());
    assertThat(ours.getRoleRef()).isEqualTo(guide.getRoleRef());
  }

  @Test
  void toYaml_whenParsedBack_yieldsTheSameObjects() {
    RayClusterManifests m =
        RayClusterManifests.builder()
            .eksRoleArn("arn:aws:iam::123456789012:role/geneva-ray-runner")
            .clientSubject(RbacSubject.user("geneva-client"))
            .clientSubject(RbacSubject.serviceAccount("tools", "runner"))
            .build();

    String yaml = m.toYaml();
    List<HasMetadata> parsed =
        List.of(yaml.split("(?m)^---\\n")).stream()
            .filter(doc -> !doc.isBlank())
            .map(doc -> (HasMetadata) SERIALIZATION.unmarshal(doc))
            .toList();

    assertThat(parsed).isEqualTo(m.objects());
    assertThat(parsed)
        .extracting(HasMetadata::getKind)
        .containsExactly(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding");
    assertThat(yaml)
        .startsWith("---\n")
        .contains(
            "eks.amazonaws.com/role-arn: \"arn:aws:iam::123456789012:role/geneva-ray-runner\"");
  }

  @Test
  void serviceAccount_whenGcpServiceAccountSet_carriesWorkloadIdentityAnnotation() {
    RayClusterManifests m =
        RayClusterManifests.builder()
            .namespace("ml")
            .serviceAccountName("ray")
            .gcpServiceAccount("ray@my-project.iam.gserviceaccount.com")
            .build();

    assertThat(m.serviceAccount().getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(m.serviceAccount().getMetadata().getAnnotations())
        .containsExactlyEntriesOf(
            java.util.Map.of(
                "iam.gke.io/gcp-service-account", "ray@my-project.iam.gserviceaccount.com"));
    assertThat(m.clusterRole().getMetadata().getName()).isEqualTo("ray-role");
    assertThat(m.clusterRoleBinding().getMetadata().getName()).isEqualTo("ray-binding");
  }

  @Test
  void clientRole_whenSubjectsGiven_grantsCreateAndPortForwardInNamespace() {
    RayClusterManifests m =
        RayClusterManifests.builder().clientSubject(RbacSubject.group("ml-team")).build();

    Role role = m.clientRole().orElseThrow();

    assertThat(role.getMetadata().getNamespace()).isEqualTo("geneva");
    assertThat(role.getRules())
        .anySatisfy(r -> assertRule(r, "ray.io", "rayclusters", "create", "list", "watch"))
        .anySatisfy(r -> assertRule(r, "ray.io", "rayjobs", "create", "get", "list", "delete"))
        .anySatisfy(r -> assertRule(r, "", "pods", "get", "list", "watch"))
        .anySatisfy(r -> assertRule(r, "", "pods/portforward", "get", "create"))
        .anySatisfy(r -> assertRule(r, "", "services", "get", "list"))
        .anySatisfy(r -> assertRule(r, "", "events", "list"))
        .noneSatisfy(r -> assertThat(r.getApiGroups()).contains("apiextensions.k8s.io"));
    assertThat(m.clientClusterRole().orElseThrow().getRules())
        .anySatisfy(r -> assertRule(r, "apiextensions.k8s.io", "customresourcedefinitions", "get"))
        .anySatisfy(
            r -> assertThat(r.getResourceNames()).contains("rayclusters.ray.io", "rayjobs.ray.io"))
        .anySatisfy(
            r -> assertRule(r, "authorization.k8s.io", "selfsubjectaccessreviews", "create"));
    assertThat(m.clientRoleBinding().orElseThrow().getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("Group");
              assertThat(s.getName()).isEqualTo("ml-team");
            });
    assertThat(m.clientClusterRoleBinding().orElseThrow().getMetadata().getName())
        .isEqualTo("geneva-client-cluster-geneva");
  }

  @Test
  void clientRules_whenListed_eachHasAReason() {
    assertThat(RayClusterManifests.clientRules())
        .hasSize(10)
        .allSatisfy(r -> assertThat(r.reason()).hasSizeGreaterThan(20));
  }

  @Test
  void objects_whenNoClientSubjects_areOnlyTheGuideObjects() {
    List<HasMetadata> objects = RayClusterManifests.builder().build().objects();

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactly("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding");
  }

  @Test
  void build_whenNamespaceNotRfc1123_namesFieldAndRule() {
    assertThatThrownBy(() -> RayClusterManifests.builder().namespace("Geneva_NS").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayClusterManifests.namespace 'Geneva_NS'")
        .hasMessageContaining("RFC 1123 label");
  }

  @Test
  void build_whenServiceAccountNameInvalid_namesFieldAndRule() {
    assertThatThrownBy(() -> RayClusterManifests.builder().serviceAccountName("-ray").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayClusterManifests.serviceAccountName '-ray'")
        .hasMessageContaining("RFC 1123 subdomain");
  }

  @Test
  void build_whenBothCloudAnnotations_rejects() {
    assertThatThrownBy(
            () ->
                RayClusterManifests.builder()
                    .eksRoleArn("arn:aws:iam::123456789012:role/r")
                    .gcpServiceAccount("r@p.iam.gserviceaccount.com")
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("both eksRoleArn and gcpServiceAccount");
  }

  @Test
  void build_whenRoleArnMalformed_showsExpectedForm() {
    assertThatThrownBy(() -> RayClusterManifests.builder().eksRoleArn("geneva-role").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("arn:aws:iam::<12-digit account>:role/<name>");
  }

  @Test
  void serviceAccount_whenSubjectNamespaceInvalid_rejectsAtOnce() {
    assertThatThrownBy(() -> RbacSubject.serviceAccount("Tools", "runner"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RbacSubject.serviceAccount namespace 'Tools'");
  }

  @Test
  void toBuilder_whenRebuilt_yieldsSameObjects() {
    RayClusterManifests m =
        RayClusterManifests.builder()
            .namespace("ml")
            .clientSubject(RbacSubject.user("alice@example.com"))
            .build();

    assertThat(m.toBuilder().build().objects()).isEqualTo(m.objects());
  }

  private static void assertRule(PolicyRule r, String group, String resource, String... verbs) {
    assertThat(r.getApiGroups()).containsExactly(group);
    assertThat(r.getResources()).containsExactly(resource);
    assertThat(r.getVerbs()).contains(verbs);
  }
}

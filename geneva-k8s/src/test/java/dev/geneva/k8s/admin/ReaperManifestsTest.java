package dev.geneva.k8s.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.admin.ApplyResult.Outcome;
import dev.geneva.k8s.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The in-cluster reaper's objects: rendered as YAML, read back into fabric8's typed {@code
 * batch/v1} and {@code rbac/v1} models with no field left over (a misspelt or misplaced field would
 * land in a model's additional properties), checked field by field against what a CronJob must
 * have, and applied to the mock API server.
 */
class ReaperManifestsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static ReaperManifests.Builder reaper() {
    return ReaperManifests.builder().namespace("geneva").image("registry.example.com/geneva:0.1");
  }

  private static List<HasMetadata> parse(String yaml) {
    assertThat(yaml).startsWith("---\n");
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.substring(4).split("(?m)^---\\n")) {
      out.add(SERIALIZATION.unmarshal(doc));
    }
    return out;
  }

  @Test
  void toYaml_whenDefaults_expectTypedObjectsWithNoUnknownField() {
    ReaperManifests m = reaper().build();

    List<HasMetadata> objects = parse(m.toYaml());

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactly("ServiceAccount", "Role", "RoleBinding", "CronJob");
    assertThat(objects.get(0)).isInstanceOf(ServiceAccount.class);
    assertThat(objects.get(1)).isInstanceOf(Role.class);
    assertThat(objects.get(2)).isInstanceOf(RoleBinding.class);
    assertThat(objects.get(3)).isInstanceOf(CronJob.class);
    assertThat(objects.get(3).getApiVersion()).isEqualTo("batch/v1");
    for (HasMetadata o : objects) {
      assertThat(unknownFields(o, "")).as(o.getKind()).isEmpty();
      assertThat(o.getMetadata().getNamespace()).isEqualTo("geneva");
      assertThat(o.getMetadata().getName()).isEqualTo("geneva-reaper");
    }
    assertThat(objects).isEqualTo(m.objects());
    // The check catches what it is for: a misspelt field.
    String misspelt = SERIALIZATION.asYaml(m.cronJob()).replace("schedule:", "schedul:");
    assertThat(unknownFields(SERIALIZATION.unmarshal(misspelt), ""))
        .singleElement()
        .asString()
        .contains(".Spec has unknown fields [schedul]");
  }

  @Test
  void cronJob_whenDefaults_expectValidScheduleJobAndRestrictedContainer() {
    CronJob cj = reaper().grace(Duration.ofSeconds(90)).build().cronJob();

    CronJobSpec spec = cj.getSpec();
    assertThat(spec.getSchedule()).isEqualTo("*/5 * * * *");
    assertThat(spec.getConcurrencyPolicy()).isIn("Allow", "Forbid", "Replace").isEqualTo("Forbid");
    assertThat(spec.getJobTemplate().getSpec().getBackoffLimit()).isZero();
    assertThat(spec.getJobTemplate().getSpec().getActiveDeadlineSeconds()).isPositive();
    PodSpec pod = spec.getJobTemplate().getSpec().getTemplate().getSpec();
    // A Job's pods must not restart Always (the API server rejects it).
    assertThat(pod.getRestartPolicy()).isIn("Never", "OnFailure");
    assertThat(pod.getServiceAccountName()).isEqualTo("geneva-reaper");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    Container c = pod.getContainers().get(0);
    assertThat(c.getName()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(c.getImage()).isEqualTo("registry.example.com/geneva:0.1");
    assertThat(c.getCommand()).containsExactly("java", "-jar", "/opt/geneva/geneva.jar");
    assertThat(c.getArgs())
        .containsExactly(
            "clusters",
            "reap",
            "--expired",
            "--in-cluster",
            "--namespace",
            "geneva",
            "--grace",
            "90s");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("tmp");
    assertThat(c.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void role_whenRendered_expectOnlyListGetDeleteOnRayClustersInTheNamespace() {
    ReaperManifests m = reaper().namespace("team-a").name("reaper").build();

    Role role = m.role();
    RoleBinding binding = m.roleBinding();

    assertThat(role.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(role.getRules()).hasSize(1);
    PolicyRule rule = role.getRules().get(0);
    assertThat(rule.getApiGroups()).containsExactly("ray.io");
    assertThat(rule.getResources()).containsExactly("rayclusters");
    assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "get", "delete");
    assertThat(rule.getResourceNames()).isNullOrEmpty();
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo("reaper");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo("reaper");
              assertThat(s.getNamespace()).isEqualTo("team-a");
            });
    assertThat(m.cronJob().getSpec().getJobTemplate().getSpec().getTemplate().getSpec())
        .extracting(PodSpec::getServiceAccountName)
        .isEqualTo("reaper");
    assertThat(m.cliArgs()).containsSequence("--namespace", "team-a");
  }

  @Test
  void apply_whenRunTwiceThenRescheduled_expectCreatedUnchangedThenCronJobUpdated() {
    try (MockKubernetes mock = new MockKubernetes()) {
      KubernetesClient client = mock.client();
      ReaperManifests m = reaper().build();

      ApplyResult first = m.apply(client);
      ApplyResult second = m.apply(client);
      ApplyResult third = m.toBuilder().schedule("@hourly").build().apply(client);

      assertThat(first.objects()).hasSize(4).allMatch(a -> a.outcome() == Outcome.CREATED);
      assertThat(second.unchanged()).isTrue();
      assertThat(third.objects())
          .extracting(ApplyResult.Applied::kind, ApplyResult.Applied::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("ServiceAccount", Outcome.UNCHANGED),
              org.assertj.core.groups.Tuple.tuple("Role", Outcome.UNCHANGED),
              org.assertj.core.groups.Tuple.tuple("RoleBinding", Outcome.UNCHANGED),
              org.assertj.core.groups.Tuple.tuple("CronJob", Outcome.UPDATED));
      CronJob stored =
          client.batch().v1().cronjobs().inNamespace("geneva").withName("geneva-reaper").get();
      assertThat(stored.getSpec().getSchedule()).isEqualTo("@hourly");
      assertThat(client.rbac().roles().inNamespace("geneva").withName("geneva-reaper").get())
          .isNotNull();
    }
  }

  @Test
  void rayClusterManifests_whenReaperAdded_expectItsObjectsLastAndApplied() {
    ReaperManifests reaper = reaper().build();
    RayClusterManifests m = RayClusterManifests.builder().reaper(reaper).build();

    assertThat(m.reaper()).contains(reaper);
    List<HasMetadata> objects = m.objects();
    assertThat(objects.subList(objects.size() - 4, objects.size())).isEqualTo(reaper.objects());
    List<HasMetadata> parsed = parse(m.toYaml());
    assertThat(parsed)
        .extracting(HasMetadata::getKind)
        .containsExactlyElementsOf(objects.stream().map(HasMetadata::getKind).toList());
    assertThat(parsed.subList(parsed.size() - 4, parsed.size())).isEqualTo(reaper.objects());
    try (MockKubernetes mock = new MockKubernetes()) {
      assertThat(m.apply(mock.client()).objects()).allMatch(a -> a.outcome() == Outcome.CREATED);
      assertThat(
              mock.client()
                  .batch()
                  .v1()
                  .cronjobs()
                  .inNamespace("geneva")
                  .withName("geneva-reaper")
                  .get())
          .isNotNull();
    }
    assertThatThrownBy(
            () -> RayClusterManifests.builder().namespace("other").reaper(reaper).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("reaper is for namespace geneva but the manifests are for other");
  }

  @Test
  void build_whenInputBad_expectErrorNamingFieldAndFix() {
    assertThatThrownBy(() -> ReaperManifests.builder().build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ReaperManifests.image is not set")
        .hasMessageContaining("Dockerfile in docs/kubernetes.md");
    for (String bad : List.of("*/5 * * *", "every 5 minutes please", "@often", "*/5 * * * ^", "")) {
      assertThatThrownBy(() -> reaper().schedule(bad).build())
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("ReaperManifests.schedule")
          .hasMessageContaining("e.g. \"*/5 * * * *\"");
    }
    for (String good :
        List.of("*/5 * * * *", "0,30 8-18 * * MON-FRI", "@hourly", "15 */2 1 JAN,JUL *")) {
      assertThat(reaper().schedule(good).build().schedule()).isEqualTo(good);
    }
    assertThatThrownBy(() -> reaper().name("Reaper").build())
        .hasMessageContaining("ReaperManifests.name 'Reaper' is not an RFC 1123 label");
    assertThatThrownBy(() -> reaper().name("r".repeat(53)).build())
        .hasMessageContaining("longer than 52 characters");
    assertThatThrownBy(() -> reaper().jarPath("geneva.jar").build())
        .hasMessageContaining("ReaperManifests.jarPath 'geneva.jar' is not an absolute path");
    assertThatThrownBy(() -> reaper().grace(Duration.ofMillis(-1)).build())
        .hasMessageContaining("ReaperManifests.grace must be zero or more whole seconds");
    assertThatThrownBy(() -> reaper().image("a b").build())
        .hasMessageContaining("ReaperManifests.image is 'a b'");
  }

  /**
   * The paths of every field of a typed model object that fabric8 could not map to a known field:
   * those land in {@code getAdditionalProperties()}.
   */
  private static List<String> unknownFields(Object o, String path) {
    List<String> out = new ArrayList<>();
    walk(o, path, out, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private static void walk(Object o, String path, List<String> out, Set<Object> seen) {
    if (o == null || !seen.add(o)) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, out, seen));
      return;
    }
    if (!o.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get")) {
        continue;
      }
      try {
        Object v = m.invoke(o);
        if (m.getName().equals("getAdditionalProperties")) {
          if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
            out.add(path + " has unknown fields " + extra.keySet());
          }
        } else if (!m.getName().equals("getClass")) {
          walk(v, path + "." + m.getName().substring(3), out, seen);
        }
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
  }
}

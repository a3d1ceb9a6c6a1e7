package dev.geneva.k8s.admin.internal;

import dev.geneva.GenevaException;
import dev.geneva.k8s.admin.ApplyResult.Applied;
import dev.geneva.k8s.admin.ApplyResult.Outcome;
import dev.geneva.k8s.internal.ApiCalls;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Create-or-update of the admin objects with a per-object outcome. Reads each object first so an
 * unchanged one is not written at all. Each call goes through {@link ApiCalls}: 429, 5xx and I/O
 * errors are retried, and an API server that cannot be reached fails at once with "Cannot reach the
 * API server at ..." (fast when the client has fabric8's own retries off, as {@code KubeApi}'s
 * has). Not API.
 */
public final class Applier {
  /** How long one read, create or update may retry 429, 5xx and I/O errors. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final ApiCalls calls;

  /**
   * Creates the applier.
   *
   * @param client the client
   */
  public Applier(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.calls = ApiCalls.forClient(client);
  }

  /**
   * Applies the objects in order.
   *
   * @param desired the objects
   * @return one entry per object
   */
  public List<Applied> apply(List<HasMetadata> desired) {
    List<Applied> out = new ArrayList<>();
    for (HasMetadata d : desired) {
      Outcome outcome;
      try {
        outcome = applyOne(d);
      } catch (KubernetesClientException e) {
        throw new GenevaException(
            "applying "
                + describe(d)
                + " failed (HTTP "
                + e.getCode()
                + "): "
                + e.getMessage()
                + (e.getCode() == 403
                    ? ". Managing namespaces, service accounts and RBAC needs admin rights: ask a"
                        + " cluster admin to apply RayClusterManifests.toYaml()"
                    : ""),
            e);
      }
      out.add(
          new Applied(
              d.getKind(), d.getMetadata().getNamespace(), d.getMetadata().getName(), outcome));
    }
    return out;
  }

  private Outcome applyOne(HasMetadata desired) {
    HasMetadata existing =
        calls.call("read " + describe(desired), BUDGET, () -> client.resource(desired).get());
    if (existing == null) {
      calls.call("create " + describe(desired), BUDGET, () -> client.resource(desired).create());
      return Outcome.CREATED;
    }
    if (existing instanceof Namespace) {
      return Outcome.UNCHANGED; // someone else's namespace: never relabel it
    }
    boolean changed = mergeLabels(existing, desired);
    if (existing instanceof ServiceAccount sa) {
      changed |= mergeAnnotations(sa, desired);
    } else if (existing instanceof ClusterRole cr) {
      changed |= setRules(cr.getRules(), ((ClusterRole) desired).getRules(), cr::setRules);
    } else if (existing instanceof Role r) {
      changed |= setRules(r.getRules(), ((Role) desired).getRules(), r::setRules);
    } else if (existing instanceof ClusterRoleBinding b) {
      ClusterRoleBinding want = (ClusterRoleBinding) desired;
      checkRoleRef(desired, b.getRoleRef(), want.getRoleRef());
      changed |= setSubjects(b.getSubjects(), want.getSubjects(), b::setSubjects);
    } else if (existing instanceof RoleBinding b) {
      RoleBinding want = (RoleBinding) desired;
      checkRoleRef(desired, b.getRoleRef(), want.getRoleRef());
      changed |= setSubjects(b.getSubjects(), want.getSubjects(), b::setSubjects);
    } else if (existing instanceof CronJob cj) {
      // Ours entirely: its spec becomes ours (a real API server's defaulted fields count as a
      // change, so a re-apply there reports it updated).
      CronJobSpec want = ((CronJob) desired).getSpec();
      if (!Objects.equals(cj.getSpec(), want)) {
        cj.setSpec(want);
        changed = true;
      }
    }
    if (!changed) {
      return Outcome.UNCHANGED;
    }
    // Carries the read resourceVersion: optimistic locking.
    calls.call("update " + describe(desired), BUDGET, () -> client.resource(existing).update());
    return Outcome.UPDATED;
  }

  private static boolean mergeLabels(HasMetadata existing, HasMetadata desired) {
    Map<String, String> want = desired.getMetadata().getLabels();
    Map<String, String> have = nullToEmpty(existing.getMetadata().getLabels());
    if (want == null || have.entrySet().containsAll(want.entrySet())) {
      return false;
    }
    Map<String, String> merged = new HashMap<>(have);
    merged.putAll(want);
    existing.getMetadata().setLabels(merged);
    return true;
  }

  private static boolean mergeAnnotations(ServiceAccount existing, HasMetadata desired) {
    Map<String, String> want = desired.getMetadata().getAnnotations();
    Map<String, String> have = nullToEmpty(existing.getMetadata().getAnnotations());
    if (want == null || have.entrySet().containsAll(want.entrySet())) {
      return false;
    }
    Map<String, String> merged = new HashMap<>(have);
    merged.putAll(want);
    existing.getMetadata().setAnnotations(merged);
    return true;
  }

  private static boolean setRules(
      List<PolicyRule> have,
      List<PolicyRule> want,
      java.util.function.Consumer<List<PolicyRule>> set) {
    if (Objects.equals(have, want)) {
      return false;
    }
    set.accept(want);
    return true;
  }

  private static boolean setSubjects(
      List<Subject> have, List<Subject> want, java.util.function.Consumer<List<Subject>> set) {
    if (Objects.equals(have, want)) {
      return false;
    }
    set.accept(want);
    return true;
  }

  private static void checkRoleRef(HasMetadata desired, RoleRef have, RoleRef want) {
    if (!Objects.equals(have, want)) {
      throw new GenevaException(
          describe(desired)
              + " exists with roleRef "
              + have.getKind()
              + "/"
              + have.getName()
              + " but should reference "
              + want.getKind()
              + "/"
              + want.getName()
              + "; Kubernetes cannot change a binding's roleRef, so delete it (kubectl delete "
              + desired.getKind().toLowerCase(java.util.Locale.ROOT)
              + " "
              + desired.getMetadata().getName()
              + ") or choose another name, then apply again");
    }
  }

  private static String describe(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }

  private static <K, V> Map<K, V> nullToEmpty(Map<K, V> m) {
    return m == null ? Map.of() : m;
  }
}

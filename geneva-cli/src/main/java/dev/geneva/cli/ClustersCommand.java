package dev.geneva.cli;

import dev.geneva.k8s.ClusterLease;
import dev.geneva.k8s.KubeApi;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusters;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code geneva clusters list|delete|reap}: the RayClusters Geneva created; {@code geneva clusters
 * definitions list|show|drop}: the cluster definitions stored in a database.
 */
@Command(
    name = "clusters",
    mixinStandardHelpOptions = true,
    description =
        "Lists, deletes and reaps the RayClusters Geneva created (label"
            + " app.kubernetes.io/managed-by=geneva).",
    subcommands = {
      ClustersCommand.ListClusters.class,
      ClustersCommand.DeleteCluster.class,
      ClustersCommand.ReapClusters.class,
      ClusterDefinitionsCommand.class
    })
public final class ClustersCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public ClustersCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand: list, delete, reap or definitions");
  }

  /** {@code geneva clusters list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists Geneva's RayClusters in the namespace.")
  public static final class ListClusters implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin KubeOptions kube;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public ListClusters() {}

    @Override
    public Integer call() {
      List<RayClusters.ManagedCluster> clusters = RayClusters.list(kube.auth(), kube.namespace);
      Instant now = Instant.now();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            Json.write(
                clusters.stream()
                    .map(
                        c -> {
                          Map<String, Object> m = new LinkedHashMap<>();
                          m.put("name", c.name());
                          m.put("namespace", c.namespace());
                          m.put("owner", c.owner());
                          m.put("session", c.session());
                          m.put("sdkVersion", c.sdkVersion());
                          m.put("created", c.created().map(Instant::toString).orElse(null));
                          m.put("state", String.valueOf(c.status().state()));
                          m.put("lease", lease(c, now));
                          m.put(
                              "leaseExpires",
                              c.lease().expires().map(Instant::toString).orElse(null));
                          return m;
                        })
                    .toList()));
      } else {
        out.printf("%-40s %-12s %-16s %-22s %s%n", "NAME", "STATE", "OWNER", "CREATED", "LEASE");
        for (RayClusters.ManagedCluster c : clusters) {
          out.printf(
              "%-40s %-12s %-16s %-22s %s%n",
              c.name(),
              c.status().state().isEmpty() ? "-" : c.status().state(),
              c.owner(),
              c.created().map(Instant::toString).orElse("-"),
              lease(c, now) + c.lease().expires().map(t -> (" (until " + t + ")")).orElse(""));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }

    private static String lease(RayClusters.ManagedCluster c, Instant now) {
      return c.lease().state(now, Duration.ZERO).name().toLowerCase(Locale.ROOT);
    }
  }

  private static final ResourceDefinitionContext RAY_CLUSTERS =
      new ResourceDefinitionContext.Builder()
          .withGroup("ray.io")
          .withVersion("v1")
          .withKind("RayCluster")
          .withPlural("rayclusters")
          .withNamespaced(true)
          .build();

  /** How long each call of {@code clusters delete} may retry 429, 5xx and I/O errors. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  /** {@code geneva clusters delete NAME}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes one of Geneva's RayClusters (exit 1 when there is none of that name).")
  public static final class DeleteCluster implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin KubeOptions kube;

    @Parameters(index = "0", paramLabel = "NAME", description = "The RayCluster's name.")
    String name;

    @Option(
        names = "--force",
        description = "Delete it even if Geneva did not create it (no managed-by=geneva label).")
    boolean force;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public DeleteCluster() {}

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (KubeApi api = KubeApi.connect(kube.auth())) {
        // A context of its own, not ("ray.io/v1", "RayCluster"): that looks the kind up first
        // with a call of fabric8's own, outside the retries and their "cannot reach" message.
        var resource =
            api.client()
                .genericKubernetesResources(RAY_CLUSTERS)
                .inNamespace(kube.namespace)
                .withName(name);
        String what = "RayCluster " + kube.namespace + "/" + name;
        GenericKubernetesResource rc = api.call("read " + what, BUDGET, resource::get);
        if (rc == null) {
          err.println("geneva: no RayCluster " + name + " in namespace " + kube.namespace);
          err.flush();
          return result(out, false, "not found");
        }
        Map<String, String> labels = rc.getMetadata().getLabels();
        boolean managed =
            labels != null
                && RayCluster.MANAGED_BY_VALUE.equals(labels.get(RayCluster.MANAGED_BY_LABEL));
        if (!managed && !force) {
          err.println(
              "geneva: RayCluster "
                  + name
                  + " was not created by Geneva (no "
                  + RayCluster.MANAGED_BY_LABEL
                  + "="
                  + RayCluster.MANAGED_BY_VALUE
                  + " label); add --force to delete it anyway");
          err.flush();
          return result(out, false, "not managed by geneva");
        }
        api.call("delete " + what, BUDGET, resource::delete);
        return result(out, true, "deleted");
      }
    }

    private int result(PrintWriter out, boolean deleted, String what) {
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("namespace", kube.namespace);
        m.put("deleted", deleted);
        m.put("result", what);
        out.println(Json.write(m));
      } else if (deleted) {
        out.println("deleted RayCluster " + kube.namespace + "/" + name);
      }
      out.flush();
      return deleted ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
  }

  /** {@code geneva clusters reap --older-than DURATION | --expired [--grace DURATION]}. */
  @Command(
      name = "reap",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes Geneva's RayClusters left behind (by a killed JVM, for instance). Never touches"
            + " RayClusters without the label app.kubernetes.io/managed-by=geneva.",
        "--expired deletes those whose lease (annotation "
            + ClusterLease.EXPIRES_ANNOTATION
            + ") ran out more than --grace ago: a living client renews its lease every third of"
            + " the lease duration (5 minutes by default), so these are the ones whose client died."
            + " Clusters with a running lease, kept on purpose (annotation "
            + ClusterLease.RETAINED_ANNOTATION
            + ") or without a lease are kept. This is what the CronJob of geneva manifests"
            + " --reaper runs.",
        "--older-than deletes those created more than DURATION ago, whatever their lease.",
        "Exit code 0 also when nothing was deleted."
      })
  public static final class ReapClusters implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin KubeOptions kube;

    @Option(
        names = "--older-than",
        converter = Durations.class,
        description = "Minimum age: 90s, 30m, 2h, 7d or PT2H.")
    Duration olderThan;

    @Option(
        names = "--expired",
        description = "Delete the clusters whose lease ran out (their client died).")
    boolean expired;

    @Option(
        names = "--grace",
        converter = Durations.class,
        defaultValue = "0s",
        description =
            "With --expired: how long past its end a lease still counts, for clock skew between"
                + " clients and this machine (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public ReapClusters() {}

    @Override
    public Integer call() {
      if (expired == (olderThan != null)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "give exactly one of --expired (clusters whose lease ran out) and --older-than"
                + " DURATION (clusters created before)");
      }
      if (!expired && spec.commandLine().getParseResult().hasMatchedOption("--grace")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--grace goes with --expired only");
      }
      return expired ? reapExpired() : reapOlder();
    }

    private int reapOlder() {
      List<String> deleted = RayClusters.reap(kube.auth(), kube.namespace, olderThan);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(Map.of("deleted", deleted)));
      } else {
        for (String d : deleted) {
          out.println("deleted RayCluster " + kube.namespace + "/" + d);
        }
        out.println(deleted.size() + " RayCluster(s) older than " + olderThan + " deleted");
      }
      out.flush();
      return ExitCodes.OK;
    }

    private int reapExpired() {
      KubeAuth auth = kube.auth();
      Instant now = Instant.now();
      Map<String, RayClusters.ManagedCluster> before = new LinkedHashMap<>();
      for (RayClusters.ManagedCluster c : RayClusters.list(auth, kube.namespace)) {
        before.put(c.name(), c);
      }
      List<String> deleted = RayClusters.reapExpired(auth, kube.namespace, grace);
      Map<ClusterLease.State, List<String>> kept = new EnumMap<>(ClusterLease.State.class);
      before.values().stream()
          .filter(c -> !deleted.contains(c.name()))
          .forEach(
              c ->
                  kept.computeIfAbsent(c.lease().state(now, grace), k -> new ArrayList<>())
                      .add(c.name()));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("namespace", kube.namespace);
        doc.put("deleted", deleted);
        Map<String, Object> keptDoc = new LinkedHashMap<>();
        kept.forEach((state, names) -> keptDoc.put(state.name().toLowerCase(Locale.ROOT), names));
        doc.put("kept", keptDoc);
        out.println(Json.write(doc));
      } else {
        for (String d : deleted) {
          RayClusters.ManagedCluster c = before.get(d);
          out.println(
              "deleted RayCluster "
                  + kube.namespace
                  + "/"
                  + d
                  + (c == null || c.lease().expires().isEmpty()
                      ? ""
                      : " (lease ran out at " + c.lease().expires().get() + ")"));
        }
        out.println(
            deleted.size()
                + " RayCluster(s) whose lease ran out deleted from namespace "
                + kube.namespace
                + keptSummary(kept));
      }
      out.flush();
      return ExitCodes.OK;
    }

    private static String keptSummary(Map<ClusterLease.State, List<String>> kept) {
      if (kept.isEmpty()) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      kept.forEach(
          (state, names) ->
              parts.add(
                  names.size()
                      + switch (state) {
                        case ACTIVE -> " with a running lease";
                        case EXPIRED -> " whose lease ran out but changed meanwhile";
                        case RETAINED -> " kept on purpose (retained)";
                        case NONE -> " without a lease";
                        case INVALID ->
                            " with an unreadable lease (" + String.join(", ", names) + ")";
                      }));
      return "; kept " + String.join(", ", parts);
    }
  }
}

package dev.geneva.k8s.internal;

import dev.geneva.Table;
import dev.geneva.internal.engine.ColumnGroup;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.internal.engine.Udfs;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.ResourcesDoNotFitException;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.udf.Resources;
import dev.geneva.udf.Udtf;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The admission check of a cluster backfill (or of a view refresh's UDTF): the UDF's {@link
 * Resources} must fit one worker of some worker group, as Ray schedules a task on one node. A node
 * offers its container's CPUs and GPUs, and for memory what Ray leaves to tasks: the {@code memory}
 * start parameter if set, else the container's memory minus the object store ({@code
 * object-store-memory}, else Ray's default of 30%). When the cluster's CPU workers advertise
 * Geneva's {@code cpu-only} resource, tasks without GPUs ask for it and so only fit those groups.
 */
public final class Admission {
  /** The share of a node's memory Ray gives its object store unless told otherwise. */
  static final double OBJECT_STORE_SHARE = 0.3;

  private Admission() {}

  /**
   * Checks that the table's UDF column fits the cluster.
   *
   * @param spec the cluster
   * @param table the table
   * @param column the column to backfill
   * @throws ResourcesDoNotFitException when no worker group can run the UDF's tasks
   */
  public static void check(RayClusterSpec spec, Table table, String column) {
    Optional<UdfMetadata> udf =
        ColumnGroup.udfField(table.schema(), column)
            .flatMap(f -> UdfMetadata.from(f.getMetadata()));
    if (udf.isEmpty()) {
      return; // validated before: not reached for a column without a UDF
    }
    Resources wanted = Udfs.instantiate(udf.get().udfClass(), column).spec().resources();
    check(spec, udf.get().udfClass(), column, wanted);
  }

  /**
   * Checks that a UDF's resources fit some worker group.
   *
   * @param spec the cluster
   * @param udfClass the UDF's class, for the message
   * @param column the column, for the message
   * @param wanted what one task asks for
   * @throws ResourcesDoNotFitException when no worker group can run it
   */
  public static void check(RayClusterSpec spec, String udfClass, String column, Resources wanted) {
    check(spec, "the UDF " + udfClass + " of column '" + column + "'", wanted);
  }

  /**
   * Checks that a materialized view's UDTF fits some worker group.
   *
   * @param spec the cluster
   * @param view the view's table
   * @param udtf the view's UDTF
   * @throws ResourcesDoNotFitException when no worker group can run it
   */
  public static void check(RayClusterSpec spec, Table view, Udtf udtf) {
    check(
        spec,
        "the UDTF " + udtf.getClass().getName() + " of view '" + view.name() + "'",
        udtf.spec().resources());
  }

  private static void check(RayClusterSpec spec, String what, Resources wanted) {
    boolean cpuOnly = Manifests.advertisesCpuOnly(spec);
    List<String> offers = new ArrayList<>();
    for (WorkerGroupSpec g : spec.workerGroups()) {
      double cpus = cpus(g.cpus());
      long memory = taskMemory(g);
      boolean eligible =
          !(cpuOnly
              && wanted.gpus() == 0
              && (g.gpus() > 0 || g.rayStartParams().containsKey("resources")));
      if (eligible
          && cpus >= wanted.cpus()
          && g.gpus() >= wanted.gpus()
          && (wanted.memoryBytes() == 0 || memory >= wanted.memoryBytes())) {
        return;
      }
      offers.add(
          String.format(
              Locale.ROOT,
              "'%s': %s CPUs, %d GPUs, %s for tasks (of %s)%s",
              g.name(),
              trim(cpus),
              g.gpus(),
              mib(memory),
              g.memory(),
              eligible ? "" : ", GPU or custom-resource group: tasks without GPUs stay off it"));
    }
    throw new ResourcesDoNotFitException(
        String.format(
            Locale.ROOT,
            "%s asks for %s CPUs, %s GPUs and %s per task, but no worker"
                + " group of RayCluster %s/%s can run it, so Ray would leave the job pending"
                + " forever. Worker groups: %s. Nothing was submitted. Fix: add or resize a"
                + " worker group (WorkerGroupSpec.builder().cpus(...).gpus(...).memory(...)) so"
                + " one worker offers at least that much (Ray keeps %d%% of a worker's memory for"
                + " its object store unless rayStartParams set memory or object-store-memory), or"
                + " lower its Resources",
            what,
            trim(wanted.cpus()),
            trim(wanted.gpus()),
            mib(wanted.memoryBytes()),
            spec.namespace(),
            spec.name(),
            offers.isEmpty() ? "none" : String.join("; ", offers),
            Math.round(OBJECT_STORE_SHARE * 100)));
  }

  /** The memory Ray offers tasks on one worker of the group, in bytes. */
  static long taskMemory(WorkerGroupSpec g) {
    String rayMemory = g.rayStartParams().get("memory");
    if (rayMemory != null) {
      return parseLong(rayMemory);
    }
    long total = bytes(g.memory());
    String store = g.rayStartParams().get("object-store-memory");
    if (store != null) {
      return Math.max(0, total - parseLong(store));
    }
    return (long) (total * (1 - OBJECT_STORE_SHARE));
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.replace("\"", "").trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static double cpus(String quantity) {
    return Quantity.getAmountInBytes(new Quantity(quantity)).doubleValue();
  }

  private static long bytes(String quantity) {
    BigDecimal b = Quantity.getAmountInBytes(new Quantity(quantity));
    return b.longValue();
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String mib(long bytes) {
    return bytes == 0 ? "no set memory" : (bytes / (1024 * 1024)) + " MiB";
  }
}

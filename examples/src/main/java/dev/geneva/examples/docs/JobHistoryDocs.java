package dev.geneva.examples.docs;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.JobFilter;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.Table;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterDefinitions;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.micrometer.MicrometerBackfillListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/** Code of the job history, stored cluster and Micrometer sections of the docs. */
public final class JobHistoryDocs {
  private JobHistoryDocs() {}

  /**
   * Reads the job history.
   *
   * @param db the database
   * @param docs a table with an {@code embedding} UDF column
   */
  public static void history(Connection db, Table docs) {
    // docs:begin job-history
    for (JobRecord j : db.jobs(JobFilter.builder().table("docs").state(JobState.FAILED).build())) {
      System.out.println(j.jobId() + " " + j.column() + " " + j.error().orElse(""));
    }
    BackfillJob job = docs.backfillAsync("embedding");
    job.join();
    JobRecord r = db.jobHistory().get(job.jobId().orElseThrow()).orElseThrow();
    System.out.println(r.state() + " " + r.metric(JobMetrics.ROWS_COMMITTED) + " rows committed");
    // docs:end job-history
  }

  /**
   * Exports the job metrics to Micrometer.
   *
   * @param registry the user's registry
   * @param table a table with an {@code embedding} UDF column
   */
  public static void micrometer(MeterRegistry registry, Table table) {
    // docs:begin job-micrometer
    BackfillListener meters = MicrometerBackfillListener.create(registry);
    table.backfill("embedding", BackfillOptions.builder().listener(meters).build());
    // docs:end job-micrometer
  }

  /**
   * Stores a cluster spec and starts it by name.
   *
   * @param db the database
   * @param spec the spec
   * @param auth how to reach Kubernetes
   * @param table a table with an {@code embedding} UDF column
   * @return the stored names
   */
  public static List<String> storedClusters(
      Connection db, RayClusterSpec spec, KubeAuth auth, Table table) {
    // docs:begin stored-clusters
    RayClusterDefinitions.define(db, "gpu-embed", spec); // once
    List<String> names = RayClusterDefinitions.names(db); // [gpu-embed]
    try (RayCluster cluster =
        RayCluster.builder().spec(RayClusterDefinitions.load(db, "gpu-embed")).auth(auth).start()) {
      table.backfill("embedding");
    }
    // docs:end stored-clusters
    return names;
  }
}

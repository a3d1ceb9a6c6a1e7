package dev.geneva.testing;

import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener keeping every report a backfill makes to the job history, in order. */
public final class JobReports implements BackfillListener {
  private final List<JobRecord> reports = new CopyOnWriteArrayList<>();

  @Override
  public void onProgress(BackfillProgress progress) {}

  @Override
  public void onJobRecorded(JobRecord job) {
    reports.add(job);
  }

  /** Every report so far. */
  public List<JobRecord> all() {
    return List.copyOf(reports);
  }

  /** The {@code RUNNING} reports (the start and the heartbeats). */
  public List<JobRecord> running() {
    return reports.stream().filter(r -> r.state() == JobState.RUNNING).toList();
  }
}

package dev.geneva.testing.resume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.GenevaException;
import dev.geneva.Table;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.ChildJvm;
import dev.geneva.testing.Faults;
import dev.geneva.testing.IdSignature;
import dev.geneva.testing.IdSignatures;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.udf.Udf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * One randomized resume case: a table of random shape (fragments, deletes, a partial earlier
 * backfill), a backfill interrupted by a fault, more deletes, then a resumed backfill. {@link
 * #check} runs it and a clean twin (same table and steps, no fault) and asserts, reading both with
 * plain lance-core, that the column equals the clean run's and the independent computation row for
 * row. Everything follows from the seed, so a failure's message is enough to replay it.
 *
 * @param seed the seed everything was drawn from
 * @param fault how the first backfill is interrupted
 * @param shape how tasks relate to fragments: split, whole, or many small fragments packed
 * @param rows the table's rows (ids 0 to rows - 1)
 * @param rowsPerFragment rows per fragment (the last may have fewer)
 * @param rowsPerTask the interrupted run's rows per task
 * @param resumeRowsPerTask the resumed run's rows per task (usually the same)
 * @param concurrency tasks in flight
 * @param batchSize rows per UDF batch
 * @param commitEvery fragments per commit (0: automatic)
 * @param nullEvery every how many ids the UDF returns null (0: never)
 * @param deleteBefore rows deleted before anything is computed
 * @param prefillBelow ids below this are computed by a clean backfill before the fault (0: none)
 * @param deleteBetween rows deleted between the interrupted and the resumed run
 * @param poisonIds for {@link Fault#UDF_THROWS}: one failing run per id, in order
 * @param dieAt for {@link Fault#EXECUTOR_DIES}: the task number at which the worker dies
 * @param answerLost for {@link Fault#EXECUTOR_DIES}: whether that task ran before the worker died
 * @param killAfterTasks for {@link Fault#JVM_KILLED}: the child JVM is killed once it reports this
 *     many finished tasks
 * @param group whether the column is one of a UDF of several columns ({@link IdSignatures}: {@code
 *     sig} and {@code sig_text} computed together), backfilled by its member's name and checked for
 *     both members
 */
public record ResumeScenario(
    long seed,
    Fault fault,
    Shape shape,
    int rows,
    int rowsPerFragment,
    long rowsPerTask,
    long resumeRowsPerTask,
    int concurrency,
    int batchSize,
    int commitEvery,
    long nullEvery,
    Deletion deleteBefore,
    long prefillBelow,
    Deletion deleteBetween,
    List<Long> poisonIds,
    int dieAt,
    boolean answerLost,
    int killAfterTasks,
    boolean group) {

  /** How the first backfill is interrupted. */
  public enum Fault {
    /** The UDF throws at a row (fail-fast policy): one failing run per poison id. */
    UDF_THROWS,
    /** A worker dies, before running a task or after running it with its answer lost. */
    EXECUTOR_DIES,
    /** The JVM running the backfill is killed (SIGKILL) after a random number of tasks. */
    JVM_KILLED
  }

  /** How tasks relate to fragments. */
  public enum Shape {
    /** {@code rowsPerTask} below the fragment size: fragments split over several tasks. */
    SPLIT,
    /** {@code rowsPerTask} at least the fragment size: a task per fragment, or a few packed. */
    WHOLE,
    /**
     * Many small fragments (8 to 32 rows) packed several to a call, with a different {@code
     * rowsPerTask}, so a different packing, in the resumed run.
     */
    PACKED
  }

  /**
   * Whether tasks split fragments.
   *
   * @return true for {@link Shape#SPLIT}
   */
  public boolean split() {
    return shape == Shape.SPLIT;
  }

  /**
   * Rows deleted by a predicate, expressed both as Lance SQL and in Java.
   *
   * @param sql the delete filter, empty for none
   * @param modulus with remainder, deletes {@code id % modulus = remainder} (0: not this form)
   * @param remainder see modulus
   * @param from with to, deletes {@code from <= id < to} (when modulus is 0)
   * @param to see from
   */
  public record Deletion(String sql, long modulus, long remainder, long from, long to) {
    static final Deletion NONE = new Deletion("", 0, 0, 0, 0);

    static Deletion random(Random rng, int rows, double probability) {
      if (rng.nextDouble() >= probability) {
        return NONE;
      }
      if (rng.nextBoolean()) {
        long m = 3 + rng.nextInt(8);
        long r = rng.nextInt((int) m);
        return new Deletion("id % " + m + " = " + r, m, r, 0, 0);
      }
      long from = rng.nextInt(rows);
      long to = from + 1 + rng.nextInt(Math.max(1, rows / 2));
      return new Deletion("id >= " + from + " AND id < " + to, 0, 0, from, to);
    }

    boolean deletes(long id) {
      if (sql.isEmpty()) {
        return false;
      }
      return modulus > 0 ? id % modulus == remainder : id >= from && id < to;
    }
  }

  /**
   * What a checked case did, for the tests to show their cases covered what they claim to.
   *
   * @param scenario the case
   * @param interrupted whether the fault really interrupted the first run (it may have finished)
   * @param rowsReused rows the resumed run took from checkpoints instead of computing
   * @param mostPartsPerCall the most tasks one call to a worker carried, over the case's runs
   */
  public record Outcome(
      ResumeScenario scenario, boolean interrupted, long rowsReused, int mostPartsPerCall) {}

  /**
   * Draws a case from a seed.
   *
   * @param seed the seed
   * @param fault the fault to inject
   * @param shape how tasks relate to fragments
   * @return the case
   */
  public static ResumeScenario generate(long seed, Fault fault, Shape shape) {
    Random rng = new Random(seed);
    boolean packed = shape == Shape.PACKED;
    boolean split = shape == Shape.SPLIT;
    int rows = packed ? 200 + rng.nextInt(500) : 300 + rng.nextInt(2_200);
    int rowsPerFragment = packed ? 8 + rng.nextInt(25) : Math.max(60, rows / (1 + rng.nextInt(6)));
    long rowsPerTask =
        packed ? packedRowsPerTask(rng, rowsPerFragment) : rowsPerTask(rng, rowsPerFragment, split);
    long resumeRowsPerTask;
    if (packed) {
      long other = packedRowsPerTask(rng, rowsPerFragment);
      resumeRowsPerTask = other == rowsPerTask ? other + 1 + rng.nextInt(rowsPerFragment) : other;
    } else {
      resumeRowsPerTask =
          rng.nextInt(5) == 0 ? rowsPerTask(rng, rowsPerFragment, split) : rowsPerTask;
    }
    int concurrency = 1 + rng.nextInt(2);
    int batchSize = List.of(7, 64, 1024).get(rng.nextInt(3));
    int commitEvery = packed ? rng.nextInt(4) : 1 + rng.nextInt(3);
    long nullEvery = rng.nextBoolean() ? 0 : 5 + rng.nextInt(12);
    Deletion deleteBefore = Deletion.random(rng, rows, 0.6);
    long prefillBelow = rng.nextInt(10) < 3 ? 1 + rng.nextInt(rows) : 0;
    Deletion deleteBetween = Deletion.random(rng, rows, 0.3);
    // Poison rows the run computes: live, and not computed by the prefill.
    List<Long> poison = new ArrayList<>();
    for (int i = 1 + rng.nextInt(2), tries = 0; i > 0 && tries < 1_000; tries++) {
      long id = rng.nextInt(rows);
      if (id >= prefillBelow && !deleteBefore.deletes(id)) {
        poison.add(id);
        i--;
      }
    }
    int fragments = (rows + rowsPerFragment - 1) / rowsPerFragment;
    int tasksEstimate = fragments * (int) ((rowsPerFragment + rowsPerTask - 1) / rowsPerTask);
    // Packed tasks reach the worker in fewer calls, each of up to a quarter of a worker's share.
    long perCall = Math.min(rowsPerTask, Math.max(1, rows / (4L * concurrency)));
    int callsEstimate = packed ? (int) Math.max(1, rows / perCall) : tasksEstimate;
    int dieAt = 1 + rng.nextInt(Math.max(1, callsEstimate));
    boolean answerLost = rng.nextBoolean();
    int killAfterTasks = 1 + rng.nextInt(Math.max(1, tasksEstimate - 1));
    return new ResumeScenario(
        seed,
        fault,
        shape,
        rows,
        rowsPerFragment,
        rowsPerTask,
        resumeRowsPerTask,
        concurrency,
        batchSize,
        commitEvery,
        nullEvery,
        deleteBefore,
        prefillBelow,
        deleteBetween,
        List.copyOf(poison),
        dieAt,
        answerLost,
        killAfterTasks,
        false);
  }

  /**
   * The same case with {@code sig} computed by a UDF of several columns.
   *
   * @return the case, for a group
   */
  public ResumeScenario asGroup() {
    return new ResumeScenario(
        seed,
        fault,
        shape,
        rows,
        rowsPerFragment,
        rowsPerTask,
        resumeRowsPerTask,
        concurrency,
        batchSize,
        commitEvery,
        nullEvery,
        deleteBefore,
        prefillBelow,
        deleteBetween,
        poisonIds,
        dieAt,
        answerLost,
        killAfterTasks,
        true);
  }

  /**
   * Cases for {@code count} seeds from {@code geneva.resume.firstSeed} (default 1): seed s gets
   * fault s mod the faults' count, and the shapes take turns round by round of faults, so every
   * combination runs.
   *
   * @param count how many seeds
   * @param faults the faults to cycle through
   * @return the cases
   */
  public static Stream<ResumeScenario> cases(int count, Fault... faults) {
    long first = Long.getLong("geneva.resume.firstSeed", 1L);
    return LongStream.range(first, first + count)
        .mapToObj(
            s ->
                generate(
                    s,
                    faults[(int) (s % faults.length)],
                    Shape.values()[(int) ((s / faults.length) % Shape.values().length)]));
  }

  /** Two to twelve small fragments' worth, not always a whole number of them. */
  private static long packedRowsPerTask(Random rng, int rowsPerFragment) {
    return (long) rowsPerFragment * (2 + rng.nextInt(11)) + rng.nextInt(rowsPerFragment);
  }

  private static long rowsPerTask(Random rng, int rowsPerFragment, boolean split) {
    if (split) {
      int low = Math.max(10, rowsPerFragment / 8);
      return low + rng.nextInt(Math.max(1, rowsPerFragment - low));
    }
    return (long) rowsPerFragment * (1 + rng.nextInt(3));
  }

  /**
   * Runs the case and its clean twin under {@code dir} and asserts the column is right row for row.
   *
   * @param dir an empty directory for the two databases
   * @param backfillExecutor runs both backfills (a fault wraps it); not closed here
   * @return what the case did
   */
  public Outcome check(Path dir, BackfillExecutor backfillExecutor) {
    IdSignature.NULL_EVERY.set(nullEvery);
    Faults.reset();
    PartCountingExecutor executor = new PartCountingExecutor(backfillExecutor);
    try {
      String clean = runClean(dir.resolve("clean"), executor);
      Run faulty = runWithFault(dir.resolve("faulty"), executor);
      Map<Long, Object> expected = LanceColumns.byId(clean, "sig");
      Map<Long, Object> actual = LanceColumns.byId(faulty.uri(), "sig");
      LongPredicate live = id -> !deleteBefore.deletes(id) && !deleteBetween.deletes(id);
      List<Long> liveIds = new ArrayList<>();
      for (long id = 0; id < rows; id++) {
        if (live.test(id)) {
          liveIds.add(id);
        }
      }
      assertThat(expected.keySet())
          .as("clean run's live rows in %s", this)
          .isEqualTo(new java.util.TreeSet<>(liveIds));
      expected.forEach(
          (id, v) ->
              assertThat(v)
                  .as("clean run's sig of id %d in %s", id, this)
                  .isEqualTo(IdSignature.expected(id)));
      assertThat(actual.keySet())
          .as("resumed run's live rows in %s", this)
          .isEqualTo(expected.keySet());
      for (long id : liveIds) {
        assertThat(actual.get(id))
            .as("resumed run's sig of id %d (clean run: %s) in %s", id, expected.get(id), this)
            .isEqualTo(expected.get(id));
      }
      if (group) {
        Map<Long, Object> expectedText = LanceColumns.byId(clean, "sig_text");
        Map<Long, Object> actualText = LanceColumns.byId(faulty.uri(), "sig_text");
        for (long id : liveIds) {
          assertThat(text(expectedText.get(id)))
              .as("clean run's sig_text of id %d in %s", id, this)
              .isEqualTo(IdSignatures.expectedText(id));
          assertThat(text(actualText.get(id)))
              .as("resumed run's sig_text of id %d in %s", id, this)
              .isEqualTo(IdSignatures.expectedText(id));
        }
      }
      return new Outcome(
          this, faulty.interrupted(), faulty.rowsReused(), executor.mostPartsPerCall());
    } finally {
      Faults.reset();
      IdSignature.NULL_EVERY.set(0);
      IdSignature.DELAY_MICROS.set(0);
    }
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private record Run(String uri, boolean interrupted, long rowsReused) {}

  private BackfillOptions options(long perTask, BackfillExecutor executor) {
    BackfillOptions.Builder b =
        BackfillOptions.builder()
            .rowsPerTask(perTask)
            .concurrency(concurrency)
            .batchSize(batchSize)
            .executor(executor);
    if (commitEvery > 0) {
      b.commitEvery(commitEvery);
    }
    return b.build();
  }

  private Table prepare(Connection db, BackfillExecutor executor) {
    Table t = SampleTables.create(db, "docs", rows, rowsPerFragment);
    if (!deleteBefore.sql().isEmpty()) {
      t.delete(deleteBefore.sql());
    }
    Udf udf = group ? new IdSignatures() : new IdSignature();
    t.addColumns(Map.of(group ? "sigs" : "sig", udf));
    if (prefillBelow > 0) {
      t.backfill(
          "sig", options(rowsPerTask, executor).toBuilder().where("id < " + prefillBelow).build());
    }
    return t;
  }

  private String runClean(Path db, BackfillExecutor executor) {
    try (Connection c = Geneva.connect(db.toString())) {
      Table t = prepare(c, executor);
      if (!deleteBetween.sql().isEmpty()) {
        t.delete(deleteBetween.sql());
      }
      // A group's clean run names the group, the faulty runs its member.
      t.backfill(group ? "sigs" : "sig", options(resumeRowsPerTask, executor));
      return t.uri();
    }
  }

  private Run runWithFault(Path db, BackfillExecutor executor) {
    try (Connection c = Geneva.connect(db.toString())) {
      Table t = prepare(c, executor);
      boolean interrupted =
          switch (fault) {
            case UDF_THROWS -> throwFromUdf(t, executor);
            case EXECUTOR_DIES ->
                failed(
                    () ->
                        t.backfill(
                            "sig",
                            options(rowsPerTask, new DyingExecutor(executor, dieAt, answerLost))));
            case JVM_KILLED -> killChild(db);
          };
      Table reopened = c.openTable("docs");
      if (!deleteBetween.sql().isEmpty()) {
        reopened.delete(deleteBetween.sql());
      }
      BackfillResult resumed = reopened.backfill("sig", options(resumeRowsPerTask, executor));
      return new Run(reopened.uri(), interrupted, resumed.rowsSkipped());
    }
  }

  private boolean throwFromUdf(Table t, BackfillExecutor executor) {
    boolean interrupted = false;
    for (long id : poisonIds) {
      Faults.reset();
      Faults.FAILING_IDS.add(id);
      interrupted |= failed(() -> t.backfill("sig", options(rowsPerTask, executor)));
    }
    Faults.reset();
    return interrupted;
  }

  /** Runs a backfill expected to fail; false when it succeeded (the fault never struck). */
  private boolean failed(Runnable backfill) {
    try {
      backfill.run();
      return false;
    } catch (GenevaException e) {
      return true;
    }
  }

  private boolean killChild(Path db) {
    long liveRows = 0;
    for (long id = 0; id < rows; id++) {
      liveRows += deleteBefore.deletes(id) ? 0 : 1;
    }
    // About 1 s of UDF time in all, so the child is killed in the middle of its run.
    long delayMicros = Math.max(1, 1_000_000L * concurrency / Math.max(1, liveRows));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            ChildJvm.tmpDirFlag(db.toAbsolutePath().getParent()),
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            KillableBackfill.class.getName(),
            db.toString(),
            "docs",
            "sig",
            Long.toString(rowsPerTask),
            Integer.toString(concurrency),
            Integer.toString(batchSize),
            Integer.toString(commitEvery),
            Long.toString(delayMicros),
            Long.toString(nullEvery));
    Process child;
    try {
      child = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the child JVM", e);
    }
    boolean finished = false;
    List<String> output = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
        if (line.equals(KillableBackfill.FINISHED)) {
          finished = true;
          break;
        }
        if (line.startsWith(KillableBackfill.TASKS_DONE)
            && Integer.parseInt(line.substring(KillableBackfill.TASKS_DONE.length()))
                >= killAfterTasks) {
          break;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the child JVM's output", e);
    } finally {
      child.destroyForcibly();
      try {
        child.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!finished && output.stream().noneMatch(l -> l.startsWith(KillableBackfill.TASKS_DONE))) {
      throw new IllegalStateException("child JVM ended before its backfill ran: " + output);
    }
    return !finished;
  }
}

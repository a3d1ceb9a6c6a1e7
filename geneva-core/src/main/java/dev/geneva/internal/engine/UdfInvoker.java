package dev.geneva.internal.engine;

import dev.geneva.FailedRow;
import dev.geneva.GenevaException;
import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.ErrorRule;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Calls a UDF on a scanned batch under its error policy, filling an output vector. */
final class UdfInvoker {
  private final Udf udf;
  private final UdfSpec spec;
  private final String column;
  private final ErrorPolicy policy;
  private final Sleeper sleeper;
  private long failed;
  private final List<FailedRow> failures = new ArrayList<>();

  /** The most failed rows one invoker records; the count stays exact beyond it. */
  static final int MAX_RECORDED_FAILURES = 1_000;

  /** Waits between retries; replaced in tests. */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  UdfInvoker(Udf udf, UdfSpec spec, String column, Sleeper sleeper) {
    this.udf = udf;
    this.spec = spec;
    this.column = column;
    this.policy = spec.errorPolicy();
    this.sleeper = sleeper;
  }

  long failedRows() {
    return failed;
  }

  /** The first {@link #MAX_RECORDED_FAILURES} rows skipped under the policy, in order. */
  List<FailedRow> failures() {
    return List.copyOf(failures);
  }

  /**
   * Computes {@code output[i]} for every row {@code i} of {@code batch}.
   *
   * @param addresses the Lance row address of row {@code i}, for messages and failure records
   */
  void compute(VectorSchemaRoot batch, FieldVector output, RowAddresses addresses)
      throws InterruptedException {
    int n = batch.getRowCount();
    output.setInitialCapacity(n);
    output.allocateNew();
    if (udf instanceof ScalarUdf<?> scalar) {
      ValueWriter writer =
          ValueWriter.forVector(
              output, column, udf.getClass().getName(), spec.output().isNullable());
      ArrowRow row = new ArrowRow(batch, spec.inputs());
      for (int i = 0; i < n; i++) {
        final int index = i;
        // The value is checked inside the call: a value the column cannot hold (wrong type, out of
        // range, null for a not-nullable output) fails the row under the error policy.
        Object checked =
            call(() -> writer.check(scalar.apply(row.at(index)), ""), index, 1, addresses);
        if (checked != SKIPPED && checked != null) {
          writer.write(i, checked);
        }
      }
    } else {
      BatchUdf batchUdf = (BatchUdf) udf;
      List<FieldVector> inputs = new ArrayList<>();
      for (String c : spec.inputs()) {
        inputs.add(batch.getVector(c));
      }
      VectorSchemaRoot view = new VectorSchemaRoot(inputs);
      view.setRowCount(n);
      boolean nullable = spec.output().isNullable();
      Object result =
          call(
              () -> {
                output.reset();
                batchUdf.apply(view, output);
                checkValueCount(output, n, addresses);
                if (!nullable) {
                  checkNoNulls(output, n, addresses);
                }
                return Boolean.TRUE;
              },
              0,
              n,
              addresses);
      if (result == SKIPPED) {
        output.reset();
      }
    }
    output.setValueCount(n);
  }

  /**
   * Fails a batch whose UDF set an output value count other than the batch's rows (0: left to
   * Geneva): its values could not be matched to their rows.
   */
  private void checkValueCount(FieldVector output, int rows, RowAddresses addresses) {
    int count = output.getValueCount();
    if (count != 0 && count != rows) {
      throw new ValueWriter.BadValueException(
          "UDF "
              + udf.getClass().getName()
              + " for column '"
              + column
              + "' set its output's value count to "
              + count
              + " for a batch of "
              + rows
              + " rows starting at "
              + describe(addresses.address(0))
              + ": a batch UDF must give exactly one value per input row, in input order (null"
              + " for a row it leaves out), and may leave the value count to Geneva");
    }
  }

  /** Fails on the first row a batch UDF left null in an output declared not nullable. */
  private void checkNoNulls(FieldVector output, int rows, RowAddresses addresses) {
    for (int i = 0; i < rows; i++) {
      if (output.isNull(i)) {
        throw new ValueWriter.BadValueException(
            "UDF "
                + udf.getClass().getName()
                + " for column '"
                + column
                + "' left "
                + describe(addresses.address(i))
                + " null, but the column's output is declared not nullable");
      }
    }
  }

  /** The Lance row address (fragment id high, offset low) of a row of the current batch. */
  @FunctionalInterface
  interface RowAddresses {
    long address(int index);
  }

  private static String describe(long address) {
    return "fragment " + (address >>> 32) + " row offset " + (address & 0xFFFFFFFFL);
  }

  private static final Object SKIPPED = new Object();

  private interface Call {
    Object run() throws Exception;
  }

  /** Runs a call for rows {@code first .. first + rows - 1} under the error policy. */
  private Object call(Call call, int first, int rows, RowAddresses addresses)
      throws InterruptedException {
    int attempt = 1;
    while (true) {
      try {
        return call.run();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception | LinkageError | AssertionError e) {
        ErrorPolicy.Decision decision = policy.decide(e, attempt);
        ErrorRule.Action action = decision.action();
        if (action == ErrorRule.Action.RETRY && e instanceof ValueWriter.BadValueException) {
          // A value the column cannot hold is not retried: the UDF would return it again.
          action =
              policy.onFailure() == ErrorPolicy.OnFailure.SKIP
                  ? ErrorRule.Action.SKIP
                  : ErrorRule.Action.FAIL;
        }
        if (action == ErrorRule.Action.RETRY) {
          sleeper.sleep(jittered(decision));
          attempt++;
          continue;
        }
        if (action == ErrorRule.Action.SKIP) {
          failed += rows;
          for (int i = first; i < first + rows && failures.size() < MAX_RECORDED_FAILURES; i++) {
            failures.add(FailedRow.of(addresses.address(i), e));
          }
          return SKIPPED;
        }
        String where = describe(addresses.address(first));
        if (rows > 1) {
          where += " and the " + (rows - 1) + " rows after it";
        }
        throw new UdfFailedException(
            "UDF "
                + udf.getClass().getName()
                + " failed computing column '"
                + column
                + "' at "
                + where
                + (attempt > 1 ? " after " + attempt + " attempts" : "")
                + ": "
                + (e instanceof ValueWriter.BadValueException ? e.getMessage() : e)
                + (decision.rule() != null && decision.rule().action() == ErrorRule.Action.FAIL
                    ? " (the ErrorPolicy rule " + decision.rule() + " fails it)"
                    : ". Fix the UDF or choose an ErrorPolicy (retry or skip rules) in its UdfSpec")
                + "; finished work is checkpointed, so rerunning the backfill resumes",
            e);
      }
    }
  }

  /** The wait before a retry, drawn between half and all of it when the backoff has jitter. */
  private static long jittered(ErrorPolicy.Decision decision) {
    long millis = decision.delay().toMillis();
    if (!decision.jitter() || millis < 2) {
      return millis;
    }
    return millis / 2 + ThreadLocalRandom.current().nextLong(millis - millis / 2 + 1);
  }

  /** A UDF failed under a fail policy. */
  static final class UdfFailedException extends GenevaException {
    private static final long serialVersionUID = 1L;

    UdfFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

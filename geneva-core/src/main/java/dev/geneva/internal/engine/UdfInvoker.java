package dev.geneva.internal.engine;

import dev.geneva.GenevaException;
import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * Computes {@code output[i]} for every row {@code i} of {@code batch}.
   *
   * @param rowLabel describes row {@code i} for error messages
   */
  void compute(VectorSchemaRoot batch, FieldVector output, RowLabel rowLabel)
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
            call(
                () -> writer.check(scalar.apply(row.at(index)), ""),
                1,
                () -> rowLabel.describe(index));
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
                if (!nullable) {
                  checkNoNulls(output, n, rowLabel);
                }
                return Boolean.TRUE;
              },
              n,
              () -> rowLabel.describe(0) + " and the " + (n - 1) + " rows after it");
      if (result == SKIPPED) {
        output.reset();
      }
    }
    output.setValueCount(n);
  }

  /** Fails on the first row a batch UDF left null in an output declared not nullable. */
  private void checkNoNulls(FieldVector output, int rows, RowLabel rowLabel) {
    for (int i = 0; i < rows; i++) {
      if (output.isNull(i)) {
        throw new ValueWriter.BadValueException(
            "UDF "
                + udf.getClass().getName()
                + " for column '"
                + column
                + "' left "
                + rowLabel.describe(i)
                + " null, but the column's output is declared not nullable");
      }
    }
  }

  /** Describes a row of the current batch (fragment and offset) for messages. */
  @FunctionalInterface
  interface RowLabel {
    String describe(int index);
  }

  private static final Object SKIPPED = new Object();

  private interface Call {
    Object run() throws Exception;
  }

  private interface Where {
    String get();
  }

  private Object call(Call call, int rows, Where where) throws InterruptedException {
    int attempt = 1;
    while (true) {
      try {
        return call.run();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception | LinkageError | AssertionError e) {
        // A value the column cannot hold is not retried: the UDF would return it again.
        boolean retry =
            attempt < policy.maxAttempts()
                && !(e instanceof ValueWriter.BadValueException)
                && policy.isRetryable(e);
        if (retry) {
          sleeper.sleep(policy.backoffBefore(attempt).toMillis());
          attempt++;
          continue;
        }
        if (policy.onFailure() == ErrorPolicy.OnFailure.SKIP) {
          failed += rows;
          return SKIPPED;
        }
        throw new UdfFailedException(
            "UDF "
                + udf.getClass().getName()
                + " failed computing column '"
                + column
                + "' at "
                + where.get()
                + (attempt > 1 ? " after " + attempt + " attempts" : "")
                + ": "
                + (e instanceof ValueWriter.BadValueException ? e.getMessage() : e)
                + ". Fix the UDF or choose an ErrorPolicy (retry or skip) in its UdfSpec; finished"
                + " work is checkpointed, so rerunning the backfill resumes",
            e);
      }
    }
  }

  /** A UDF failed under a fail policy. */
  static final class UdfFailedException extends GenevaException {
    private static final long serialVersionUID = 1L;

    UdfFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

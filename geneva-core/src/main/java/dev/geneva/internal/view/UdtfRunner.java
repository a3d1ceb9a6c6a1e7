package dev.geneva.internal.view;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.Udfs;
import dev.geneva.internal.engine.ViewAccess;
import dev.geneva.udf.BatchUdtf;
import dev.geneva.udf.ChunkerUdf;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.ErrorRule;
import dev.geneva.udf.Row;
import dev.geneva.udf.StatefulUdtf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.Udtf;
import dev.geneva.udf.UdtfOutput;
import dev.geneva.udf.UdtfSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs one UDTF instance over batches of source rows under its error policy. A call returns the
 * view rows of a batch as (parent index, output row) pairs in an output root it owns.
 */
final class UdtfRunner implements AutoCloseable {
  private final Udtf udtf;
  private final UdtfSpec spec;
  private final String className;
  private final VectorSchemaRoot out;
  private final String workerId;
  private int[] parents = new int[1024];
  private long failedRows;
  private boolean opened;

  UdtfRunner(Udtf udtf, BufferAllocator allocator, String workerId) {
    this.udtf = udtf;
    this.workerId = workerId;
    this.spec = udtf.spec();
    this.className = udtf.getClass().getName();
    this.out = VectorSchemaRoot.create(new Schema(spec.outputs()), allocator);
  }

  /** Opens a stateful UDTF once, before the first batch. */
  void open(String viewUri) {
    if (opened) {
      return;
    }
    opened = true;
    if (udtf instanceof StatefulUdtf s) {
      try {
        s.open(new UdfContext(viewUri, "<udtf>", workerId));
      } catch (Exception e) {
        throw new GenevaException("UDTF " + className + " failed to open: " + e, e);
      }
    }
  }

  UdtfSpec spec() {
    return spec;
  }

  long failedRows() {
    return failedRows;
  }

  /** The output of the last {@link #expand} call. */
  VectorSchemaRoot output() {
    return out;
  }

  /** The parent (input row index) of output row {@code i} of the last call. */
  int parent(int i) {
    return parents[i];
  }

  /**
   * Expands a batch of input rows; the output stays valid until the next call.
   *
   * @param input the input columns, one row per source row
   * @param ids the source row ids of the input rows, for messages
   */
  void expand(VectorSchemaRoot input, long[] ids) {
    out.allocateNew();
    Output output = new Output(input.getRowCount());
    if (udtf instanceof ChunkerUdf chunker) {
      IntFunction<Row> rows = ViewAccess.rows(input, spec.inputs());
      Map<String, ViewAccess.ValueSink> sinks = new HashMap<>();
      for (FieldVector v : out.getFieldVectors()) {
        sinks.put(v.getName(), ViewAccess.writer(v, v.getName(), className));
      }
      for (int r = 0; r < input.getRowCount(); r++) {
        int row = r;
        int start = output.rows;
        boolean ok =
            attempt(
                "source row " + ids[r],
                () -> {
                  output.rows = start;
                  Iterable<? extends Map<String, ?>> produced = chunker.apply(rows.apply(row));
                  if (produced == null) {
                    return;
                  }
                  for (Map<String, ?> values : produced) {
                    int i = output.addRow(row);
                    for (String key : values.keySet()) {
                      if (!sinks.containsKey(key)) {
                        throw new BadValue(
                            new IllegalArgumentException(
                                "UDTF "
                                    + className
                                    + " returned column '"
                                    + key
                                    + "', which it does not declare; declared: "
                                    + sinks.keySet()));
                      }
                    }
                    for (var sink : sinks.entrySet()) {
                      try {
                        sink.getValue().set(i, values.get(sink.getKey()));
                      } catch (IllegalArgumentException bad) {
                        throw new BadValue(bad);
                      }
                    }
                  }
                });
        if (!ok) {
          output.rows = start;
          failedRows++;
        }
      }
    } else {
      BatchUdtf batch = (BatchUdtf) udtf;
      boolean ok =
          attempt(
              "source rows " + (ids.length == 0 ? "[]" : ids[0] + ".." + ids[ids.length - 1]),
              () -> {
                output.rows = 0;
                out.allocateNew();
                batch.apply(input, output);
              });
      if (!ok) {
        output.rows = 0;
        failedRows += input.getRowCount();
      }
    }
    out.setRowCount(output.rows);
  }

  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  /** A value an output column cannot hold: never retried, the UDTF would return it again. */
  private static final class BadValue extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadValue(IllegalArgumentException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Runs a call under the error policy's rules (as a UDF's): true when it succeeded, false when
   * skipped.
   */
  private boolean attempt(String what, Call call) {
    ErrorPolicy policy = spec.errorPolicy();
    for (int attempt = 1; ; attempt++) {
      try {
        call.run();
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GenevaException("refresh interrupted", e);
      } catch (Exception | LinkageError | AssertionError e) {
        ErrorPolicy.Decision decision = policy.decide(e, attempt);
        ErrorRule.Action action = decision.action();
        if (action == ErrorRule.Action.RETRY && e instanceof BadValue) {
          action =
              policy.onFailure() == ErrorPolicy.OnFailure.SKIP
                  ? ErrorRule.Action.SKIP
                  : ErrorRule.Action.FAIL;
        }
        if (action == ErrorRule.Action.RETRY) {
          sleep(decision.delay().toMillis());
          continue;
        }
        if (action == ErrorRule.Action.SKIP) {
          return false;
        }
        throw new UdtfFailedException(
            "UDTF "
                + className
                + " failed on "
                + what
                + (attempt > 1 ? " after " + attempt + " attempts" : "")
                + ": "
                + e
                + ". Fix the UDTF or choose an ErrorPolicy (retry or skip rules) in its UdtfSpec;"
                + " the rows already added stay, so refreshing again resumes",
            e);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GenevaException("refresh interrupted", e);
    }
  }

  /** The UDTF failed under a fail policy; the refresh stops, finished fragments stay. */
  static final class UdtfFailedException extends GenevaException {
    private static final long serialVersionUID = 1L;

    UdtfFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final class Output implements UdtfOutput {
    private final int inputRows;
    private int rows;

    Output(int inputRows) {
      this.inputRows = inputRows;
    }

    @Override
    public int addRow(int parentRow) {
      if (parentRow < 0 || parentRow >= inputRows) {
        throw new IndexOutOfBoundsException(
            "UdtfOutput.addRow: parent row "
                + parentRow
                + " is not a row of the input batch (0.."
                + (inputRows - 1)
                + ")");
      }
      if (rows == parents.length) {
        int[] bigger = new int[parents.length * 2];
        System.arraycopy(parents, 0, bigger, 0, rows);
        parents = bigger;
      }
      parents[rows] = parentRow;
      return rows++;
    }

    @Override
    public FieldVector vector(String column) {
      FieldVector v = out.getVector(column);
      if (v == null) {
        throw new IllegalArgumentException(
            "column '"
                + column
                + "' is not a declared output of UDTF "
                + className
                + "; declared: "
                + spec.outputs().stream().map(Field::getName).toList());
      }
      return v;
    }

    @Override
    public int rowCount() {
      return rows;
    }
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    if (opened && udtf instanceof StatefulUdtf s) {
      try {
        s.close();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    out.close();
    if (failure != null) {
      throw failure;
    }
  }

  /** Checks that a UDTF can be recreated by class name, like a UDF. */
  static void checkInstantiable(Udtf udtf) {
    Class<?> type = udtf.getClass();
    String problem = Udfs.classProblem(type);
    if (problem == null && !(udtf instanceof ChunkerUdf) && !(udtf instanceof BatchUdtf)) {
      problem = "implements neither ChunkerUdf nor BatchUdtf";
    }
    if (problem != null) {
      throw new InvalidInputException(
          "UDTF "
              + type.getName()
              + " "
              + problem
              + ": a view recreates its UDTF by class name on every refresh, so a UDTF must be a"
              + " public top-level or static nested class with a public no-argument constructor"
              + " implementing ChunkerUdf or BatchUdtf");
    }
  }

  /** Creates a UDTF from its class name. */
  static Udtf instantiate(String className, String view) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = UdtfRunner.class.getClassLoader();
    }
    try {
      Class<?> type = Class.forName(className, true, loader);
      if (!Udtf.class.isAssignableFrom(type)) {
        throw new InvalidInputException(
            "class " + className + " recorded by view '" + view + "' is not a dev.geneva Udtf");
      }
      return (Udtf) type.getConstructor().newInstance();
    } catch (ClassNotFoundException | LinkageError e) {
      throw new InvalidInputException(
          "UDTF class "
              + className
              + " of view '"
              + view
              + "' is not on the classpath: add the jar that contains it to this JVM",
          e);
    } catch (ReflectiveOperationException e) {
      throw new InvalidInputException(
          "cannot instantiate UDTF " + className + " of view '" + view + "': " + e, e);
    }
  }
}

package dev.geneva.examples.udf;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real sentence embeddings: all-MiniLM-L6-v2 ({@code fixed_size_list<float32, 384>}, unit length,
 * so a dot product is the cosine similarity) computed from {@code text} by ONNX Runtime in the
 * worker's JVM. Each worker loads the model once in {@link #open(UdfContext)} and embeds a batch at
 * a time; null text gives a null vector.
 *
 * <p>The model runs on CUDA when the worker has a GPU and the class path has ONNX Runtime's CUDA
 * build ({@code onnxruntime_gpu}), and on the CPU otherwise, with a log line saying why (system
 * property {@value MiniLmEncoder#DEVICE_PROPERTY} or environment variable {@value
 * MiniLmEncoder#DEVICE_ENV}: {@code auto}, the default, {@code cpu} or {@code cuda} to require it).
 * On the CPU it uses as many ONNX Runtime threads as the CPUs it declares (one: Geneva runs one
 * worker per core by default).
 */
public class SentenceEmbedding implements BatchUdf, StatefulUdf {
  /** Floats per vector. */
  public static final int DIMENSION = MiniLmEncoder.DIMENSION;

  private static final Logger LOG = LoggerFactory.getLogger(SentenceEmbedding.class);

  private final MiniLmEncoder.Variant variant;
  private MiniLmEncoder encoder;

  /** The float32 model. */
  public SentenceEmbedding() {
    this(MiniLmEncoder.Variant.FP32);
  }

  /**
   * A given build of the model, for subclasses (workers recreate a UDF with its no-argument
   * constructor, so each variant is a class).
   *
   * @param variant which weights
   */
  protected SentenceEmbedding(MiniLmEncoder.Variant variant) {
    this.variant = variant;
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder()
        .inputs("text")
        .output(UdfTypes.floatVector(DIMENSION))
        .version("1")
        .build();
  }

  @Override
  public void open(UdfContext context) throws Exception {
    long start = System.nanoTime();
    int threads = (int) Math.max(1, Math.round(spec().resources().cpus()));
    encoder =
        MiniLmEncoder.open(variant, MiniLmEncoder.Device.fromSettings(defaultDevice()), threads);
    String message =
        String.format(
            "all-MiniLM-L6-v2 (%s) loaded on %s in %d ms for %s%s",
            variant,
            encoder.executionProvider(),
            (System.nanoTime() - start) / 1_000_000,
            context.workerId(),
            encoder.cpuReason() == null
                ? ""
                : " (" + threads + " thread(s); not on CUDA: " + encoder.cpuReason() + ")");
    if (encoder.cpuReason() != null && spec().resources().gpus() > 0) {
      LOG.warn("{}", message);
    } else {
      LOG.info("{}", message);
    }
  }

  /**
   * The device when no setting names one.
   *
   * @return {@link MiniLmEncoder.Device#AUTO}
   */
  protected MiniLmEncoder.Device defaultDevice() {
    return MiniLmEncoder.Device.AUTO;
  }

  /**
   * The execution provider of this worker's model, once opened.
   *
   * @return {@code "CPU"} or {@code "CUDA"}
   * @throws IllegalStateException when not open
   */
  public String executionProvider() {
    if (encoder == null) {
      throw new IllegalStateException("SentenceEmbedding is not open");
    }
    return encoder.executionProvider();
  }

  @Override
  public void apply(VectorSchemaRoot input, FieldVector output) throws Exception {
    if (encoder == null) {
      throw new IllegalStateException("SentenceEmbedding.apply before open");
    }
    VarCharVector text = (VarCharVector) input.getVector("text");
    FixedSizeListVector vectors = (FixedSizeListVector) output;
    Float4Vector values = (Float4Vector) vectors.getDataVector();
    int n = input.getRowCount();
    List<String> texts = new ArrayList<>(n);
    int[] rows = new int[n];
    for (int row = 0; row < n; row++) {
      if (text.isNull(row)) {
        vectors.setNull(row);
      } else {
        rows[texts.size()] = row;
        texts.add(new String(text.get(row), StandardCharsets.UTF_8));
      }
    }
    float[][] embedded = encoder.embed(texts);
    for (int i = 0; i < embedded.length; i++) {
      int start = vectors.startNewValue(rows[i]);
      float[] v = embedded[i];
      for (int k = 0; k < DIMENSION; k++) {
        values.setSafe(start + k, v[k]);
      }
    }
  }

  @Override
  public void close() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }
}

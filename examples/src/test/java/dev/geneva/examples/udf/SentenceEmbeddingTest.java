package dev.geneva.examples.udf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.onnxruntime.OrtException;
import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.NearestNeighbours;
import dev.geneva.examples.Quickstart;
import dev.geneva.examples.Sentences;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.udf.UdfContext;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sentence-embedding UDF computes what all-MiniLM-L6-v2 computes (compared with langchain4j's
 * own in-process model, which embeds one text at a time), and its vectors carry meaning.
 */
class SentenceEmbeddingTest {
  /** Float tolerance between batched, padded inference and one text at a time. */
  private static final double TOLERANCE = 1e-4;

  private static final List<String> TEXTS =
      List.of(
          "The cat sat on the mat.",
          "Stock markets fell sharply after the central bank raised interest rates.",
          "Hi",
          "A much longer sentence, with commas, numbers like 42 and 3.14, and some rare words such"
              + " as antidisestablishmentarianism, to give the batch a very different length.",
          "Ünïcödé and emoji 🙂 survive tokenization.",
          Sentences.of(1),
          Sentences.of(2),
          Sentences.of(3));

  @TempDir Path tmp;

  @Test
  void embed_whenFp32ComparedWithLangchain4jModel_vectorsEqualWithinTolerance() throws Exception {
    assertSameVectors(MiniLmEncoder.Variant.FP32, new AllMiniLmL6V2EmbeddingModel());
  }

  @Test
  void embed_whenInt8ComparedWithLangchain4jQuantizedModel_vectorsEqualWithinTolerance()
      throws Exception {
    assertSameVectors(MiniLmEncoder.Variant.INT8, new AllMiniLmL6V2QuantizedEmbeddingModel());
  }

  private static void assertSameVectors(MiniLmEncoder.Variant variant, EmbeddingModel reference)
      throws Exception {
    float[][] ours;
    try (MiniLmEncoder encoder = MiniLmEncoder.open(variant, MiniLmEncoder.Device.CPU, 1)) {
      ours = encoder.embed(TEXTS);
    }
    for (int i = 0; i < TEXTS.size(); i++) {
      float[] expected = reference.embed(TEXTS.get(i)).content().vector();
      assertThat(ours[i]).as("text %d: %s", i, TEXTS.get(i)).hasSize(MiniLmEncoder.DIMENSION);
      assertThat(maxAbsDiff(ours[i], expected)).as("text %d", i).isLessThan(TOLERANCE);
    }
  }

  @Test
  void embed_whenSentencesShareMeaning_areCloserThanUnrelatedOnes() throws Exception {
    try (MiniLmEncoder encoder =
        MiniLmEncoder.open(MiniLmEncoder.Variant.FP32, MiniLmEncoder.Device.CPU, 1)) {
      float[][] v =
          encoder.embed(
              List.of(
                  "The cat sat on the mat.",
                  "A kitten was sitting on the rug.",
                  "Stock markets fell after the interest rate decision.",
                  "Shares dropped when the central bank raised rates."));
      assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.2);
      assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[3]) + 0.2);
      assertThat(cosine(v[2], v[3])).isGreaterThan(cosine(v[2], v[1]) + 0.2);
      double norm = 0;
      for (float f : v[0]) {
        norm += f * f;
      }
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, offset(1e-5));
    }
  }

  @Test
  void embed_whenTextIsLongerThanThe512TokenLimit_truncatesToTheFirst512() throws Exception {
    String head = "The striker scored a late winning goal in the final. ";
    String longText = head + "Then it rained all day in the city. ".repeat(200);
    String longerText = longText + "Stock markets fell sharply on the news. ".repeat(100);
    try (MiniLmEncoder encoder =
        MiniLmEncoder.open(MiniLmEncoder.Variant.FP32, MiniLmEncoder.Device.CPU, 1)) {
      float[][] v = encoder.embed(List.of(longText, longerText));
      assertThat(v[0]).hasSize(MiniLmEncoder.DIMENSION);
      // Only the first 512 word pieces count: what follows them changes nothing.
      assertThat(maxAbsDiff(v[0], v[1])).isLessThan(TOLERANCE);
    }
  }

  @Test
  void backfill_whenTableHasSentencesAndNulls_storesTheModelsVectorsAndNullsForNullText()
      throws Exception {
    int rows = 400;
    try (BackfillExecutor threads = BackfillExecutors.threads();
        Connection db = Geneva.connect(tmp.resolve("db").toString())) {
      Table docs = Quickstart.createDocs(db, rows, Sentences::of);
      docs.addColumns(Map.of("embedding", new SentenceEmbedding()));
      BackfillResult r =
          docs.backfill(
              "embedding", BackfillOptions.builder().executor(threads).concurrency(2).build());
      assertThat(r.rowsProcessed()).isEqualTo(rows);

      List<Map<String, Object>> stored = docs.head(rows, "id", "text", "embedding");
      assertThat(stored).hasSize(rows);
      List<String> texts = new ArrayList<>();
      for (Map<String, Object> row : stored) {
        if (row.get("text") == null) {
          assertThat(row.get("embedding")).as("row %s", row.get("id")).isNull();
        } else {
          texts.add(row.get("text").toString());
        }
      }
      assertThat(texts).hasSize(rows - rows / 50);
      float[][] direct;
      try (MiniLmEncoder encoder =
          MiniLmEncoder.open(MiniLmEncoder.Variant.FP32, MiniLmEncoder.Device.CPU, 1)) {
        direct = encoder.embed(texts);
      }
      int t = 0;
      for (Map<String, Object> row : stored) {
        if (row.get("text") != null) {
          float[] v = toFloats((List<?>) row.get("embedding"));
          assertThat(maxAbsDiff(v, direct[t])).as("row %s", row.get("id")).isLessThan(TOLERANCE);
          t++;
        }
      }

      float[] query;
      try (MiniLmEncoder encoder =
          MiniLmEncoder.open(MiniLmEncoder.Variant.FP32, MiniLmEncoder.Device.CPU, 1)) {
        query = encoder.embed(List.of("Who scored the winning goal in the last minute?"))[0];
      }
      List<NearestNeighbours.Neighbour> nearest =
          NearestNeighbours.of(docs, "embedding", query, 5, db.allocator());
      assertThat(nearest).hasSize(5);
      assertThat(nearest)
          .allSatisfy(n -> assertThat(Sentences.topic(n.id())).isEqualTo("football"));
      assertThat(nearest.get(0).cosine()).isGreaterThanOrEqualTo(nearest.get(4).cosine());
      double best = bruteForceBest(stored, query);
      assertThat(nearest.get(0).cosine()).isCloseTo(best, offset(1e-4));
    }
  }

  @Test
  void open_whenGpuUdfRunsWithoutCuda_fallsBackToCpu() throws Exception {
    try (GpuSentenceEmbedding udf = new GpuSentenceEmbedding()) {
      assertThat(udf.spec().resources().gpus()).isEqualTo(1.0);
      udf.open(new UdfContext("memory://t", "embedding", "test-worker"));
      assertThat(udf.executionProvider()).isEqualTo("CPU");
    }
  }

  @Test
  void open_whenCudaRequiredButOnnxRuntimeHasNoCuda_failsWithReason() {
    assertThatThrownBy(
            () -> MiniLmEncoder.open(MiniLmEncoder.Variant.INT8, MiniLmEncoder.Device.CUDA, 1))
        .isInstanceOf(OrtException.class)
        .hasMessageContaining("CUDA was required")
        .hasMessageContaining("no CUDA execution provider");
  }

  @Test
  void fromSettings_whenPropertyNamesNoDevice_throwsWithTheAllowedValues() {
    String before = System.getProperty(MiniLmEncoder.DEVICE_PROPERTY);
    System.setProperty(MiniLmEncoder.DEVICE_PROPERTY, "tpu");
    try {
      assertThatThrownBy(() -> MiniLmEncoder.Device.fromSettings(MiniLmEncoder.Device.AUTO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cpu, auto or cuda");
      System.setProperty(MiniLmEncoder.DEVICE_PROPERTY, " Cuda ");
      assertThat(MiniLmEncoder.Device.fromSettings(MiniLmEncoder.Device.AUTO))
          .isEqualTo(MiniLmEncoder.Device.CUDA);
    } finally {
      if (before == null) {
        System.clearProperty(MiniLmEncoder.DEVICE_PROPERTY);
      } else {
        System.setProperty(MiniLmEncoder.DEVICE_PROPERTY, before);
      }
    }
  }

  private static double bruteForceBest(List<Map<String, Object>> stored, float[] query) {
    return stored.stream()
        .filter(row -> row.get("embedding") != null)
        .mapToDouble(row -> cosine(toFloats((List<?>) row.get("embedding")), query))
        .max()
        .orElseThrow();
  }

  private static float[] toFloats(List<?> list) {
    float[] v = new float[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = ((Number) list.get(i)).floatValue();
    }
    return v;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    return LongStream.range(0, a.length)
        .mapToDouble(i -> Math.abs(a[(int) i] - b[(int) i]))
        .max()
        .orElse(0);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}

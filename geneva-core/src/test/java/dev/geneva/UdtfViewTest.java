package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.ChunkRows;
import dev.geneva.testing.EvenPairs;
import dev.geneva.testing.Faults;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.udf.ChunkerUdf;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.Row;
import dev.geneva.udf.UdtfSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UdtfViewTest {
  @TempDir Path dir;
  Connection db;
  Table docs;

  @BeforeEach
  void open() {
    Faults.reset();
    db = Geneva.connect(dir.toString());
    docs = SampleTables.create(db, "docs", 300, 100);
  }

  @AfterEach
  void close() {
    Faults.reset();
    db.close();
  }

  void append(long firstId, int rows) {
    try (ArrowStreamReader reader = SampleTables.rows(db.allocator(), firstId, rows)) {
      docs.add(reader);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  MaterializedView chunks(String name) {
    return db.createUdtfView(
        name,
        docs.query().select("id", "text"),
        new TextChunker(),
        Map.of("embedding", new ChunkEmbedding()));
  }

  /**
   * Expected view rows (id, chunk_index, chunk) for the live source rows, from plain lance-core.
   */
  List<String> expectedChunks() {
    return expectedChunks(db, docs);
  }

  /** Expected view rows (id, chunk_index, chunk) for the live rows of {@code docs}. */
  static List<String> expectedChunks(Connection db, Table docs) {
    return ChunkRows.expected(db.allocator(), docs.uri());
  }

  /** The view's (id, chunk_index, chunk) rows, from plain lance-core. */
  static List<String> viewChunks(String uri) {
    return ChunkRows.of(uri);
  }

  void assertParentsLive(MaterializedView view) {
    java.util.Map<Long, Long> live = MaterializedViewTest.liveAddresses(docs.uri());
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(view.table().uri(), allocator);
        LanceScanner scanner =
            ds.newScan(
                new ScanOptions.Builder()
                    .columns(List.of("id", MaterializedView.SOURCE_ROW_ID))
                    .build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          Long parent = (Long) b.getVector(MaterializedView.SOURCE_ROW_ID).getObject(i);
          assertThat(live).containsKey(parent);
          assertThat(live.get(parent)).isEqualTo(b.getVector("id").getObject(i));
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void chunkerView_refreshAfterAppendsAndDeletes_equalsViewBuiltFromScratch() {
    MaterializedView view = chunks("chunks");
    RefreshResult first = view.refresh();
    assertThat(viewChunks(view.table().uri())).isEqualTo(expectedChunks());
    assertThat(first.viewRowsAdded()).isGreaterThan(first.sourceRowsAdded());
    assertParentsLive(view);

    append(300, 150);
    docs.delete("id % 5 = 2 OR id = 310");
    RefreshResult second = view.refresh();

    assertThat(viewChunks(view.table().uri())).isEqualTo(expectedChunks());
    assertParentsLive(view);
    assertThat(view.table().countRows("embedding IS NULL")).isZero();
    // new rows 300..449 but those deleted; a source row with no chunks (null text) in a fragment
    // that changed is expanded again, as nothing in the view marks it done
    assertThat(second.sourceRowsAdded())
        .isEqualTo(150 - 30 - 1 + docs.countRows("text IS NULL AND id < 300"));
    MaterializedView scratch = chunks("scratch");
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
  }

  @Test
  void chunkerView_whenChunkerFailsMidway_resumesToTheCleanResult() {
    MaterializedView view = chunks("chunks");
    Faults.FAILING_IDS.add(150L);

    assertThatThrownBy(view::refresh)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("TextChunker")
        .hasMessageContaining("injected failure for id 150");
    // the first fragment (ids 0..99) was committed whole; the second not at all
    assertThat(view.table().countRows("id >= 100")).isZero();
    assertThat(view.table().countRows("id < 100")).isPositive();
    assertThat(view.refreshedVersion()).isEmpty();

    Faults.reset();
    RefreshPlan plan = view.planRefresh();
    assertThat(plan.resuming()).isTrue();
    // fragments 2 and 3, and the rows of fragment 1 without chunks (null text)
    assertThat(plan.sourceRowsToAdd()).isEqualTo(200 + docs.countRows("text IS NULL AND id < 100"));
    view.refresh();

    assertThat(viewChunks(view.table().uri())).isEqualTo(expectedChunks());
    assertThat(view.table().countRows("embedding IS NULL")).isZero();
    MaterializedView scratch = chunks("scratch");
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
  }

  /** Like {@link TextChunker}, skipping rows it fails on. */
  public static class SkippingChunker extends TextChunker {
    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().errorPolicy(ErrorPolicy.skip()).build();
    }
  }

  @Test
  void chunkerView_whenSkipPolicy_failingRowsGiveNoRowsAndAreCounted() {
    MaterializedView view =
        db.createUdtfView("chunks", docs.query().select("id", "text"), new SkippingChunker());
    Faults.FAILING_IDS.add(5L);
    Faults.FAILING_IDS.add(205L);

    RefreshResult result = view.refresh();

    assertThat(result.udtfRowsFailed()).isEqualTo(2);
    assertThat(view.table().countRows("id = 5 OR id = 205")).isZero();
    assertThat(view.table().countRows("id = 6")).isPositive();
  }

  @Test
  void batchUdtfView_nToM_keepsParentsAndFollowsDeletes() {
    MaterializedView view =
        db.createUdtfView("pairs", docs.query().select("id", "text"), new EvenPairs());
    view.refresh();
    assertThat(view.table().countRows()).isEqualTo(300);
    assertThat(view.table().schema().getFields().stream().map(Field::getName))
        .containsExactly("text", "copy", "twice", MaterializedView.SOURCE_ROW_ID);

    docs.delete("id < 100");
    RefreshPlan plan = view.planRefresh();
    RefreshResult second = view.refresh();
    assertThat(plan.viewRowsToDelete()).isEqualTo(100);

    assertThat(view.table().countRows()).isEqualTo(200);
    assertThat(second.viewRowsDeleted()).isEqualTo(100);
    assertThat(second.sourceRowsAdded()).isZero();
    java.util.Map<Long, Long> live = MaterializedViewTest.liveAddresses(docs.uri());
    for (Map<String, Object> row :
        view.table().head(1000, "twice", "text", MaterializedView.SOURCE_ROW_ID)) {
      long id = live.get((Long) row.get(MaterializedView.SOURCE_ROW_ID));
      assertThat(row.get("twice")).isEqualTo(2 * id);
      assertThat(String.valueOf(row.get("text"))).isEqualTo(String.valueOf(SampleTables.text(id)));
    }
  }

  /** Declares an output column the source also has. */
  public static class ClashingChunker implements ChunkerUdf {
    @Override
    public UdtfSpec spec() {
      return UdtfSpec.builder()
          .inputs("text")
          .outputs(Field.nullable("id", new ArrowType.Int(64, true)))
          .build();
    }

    @Override
    public Iterable<Map<String, ?>> apply(Row row) {
      return List.of();
    }
  }

  @Test
  void createUdtfView_whenOutputClashesWithCopiedColumn_failsBeforeCreatingAnything() {
    assertThatThrownBy(
            () ->
                db.createUdtfView("bad", docs.query().select("id", "text"), new ClashingChunker()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("outputs column 'id'");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void createUdtfView_whenUdtfIsAnonymous_failsBeforeCreatingAnything() {
    ChunkerUdf anonymous =
        new ChunkerUdf() {
          @Override
          public UdtfSpec spec() {
            return new TextChunker().spec();
          }

          @Override
          public Iterable<Map<String, ?>> apply(Row row) {
            return List.of();
          }
        };
    assertThatThrownBy(() -> db.createUdtfView("bad", docs.query(), anonymous))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("anonymous");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void udtfSpec_whenOutputsMissing_refused() {
    assertThatThrownBy(() -> UdtfSpec.builder().inputs("text").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("outputs is required");
  }

  @Test
  void chunkerView_whenKilledAtAnyRow_resumesToTheCleanResult() {
    MaterializedView scratchAt1 = chunks("scratch_v1");
    scratchAt1.refresh();
    append(300, 120);
    docs.delete("id % 6 = 1 OR (id >= 120 AND id < 140)");
    MaterializedView scratch = chunks("scratch");
    scratch.refresh();
    List<String> clean = MaterializedViewTest.rows(scratch.table().uri());

    // a failure in each source fragment in turn, on a row the refresh expands: rows without text
    // (re-expanded in a fragment that changed: 3, 150, 255) and appended rows (330, 419)
    for (long failAt : List.of(3L, 150L, 255L, 330L, 419L)) {
      String name = "chunks_" + failAt;
      MaterializedView view = chunks(name);
      view.refresh(1);
      Faults.FAILING_IDS.add(failAt);
      assertThatThrownBy(view::refresh)
          .as("refresh failing at id %d", failAt)
          .isInstanceOf(GenevaException.class);
      Faults.reset();

      view.refresh();

      assertThat(MaterializedViewTest.rows(view.table().uri()))
          .as("view resumed after a failure at id %d", failAt)
          .isEqualTo(clean);
      assertParentsLive(view);
    }
  }

  /** A chunker whose version the test sets. */
  public static class VersionedChunker extends TextChunker {
    static volatile String version = "1";
    static volatile int size = 5;

    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().version(version).build();
    }

    @Override
    public Iterable<Map<String, ?>> apply(Row row) {
      List<Map<String, ?>> out = new ArrayList<>();
      String text = row.isNull("text") ? "" : row.getString("text");
      for (int i = 0; i * size < text.length(); i++) {
        out.add(
            Map.of(
                "chunk",
                text.substring(i * size, Math.min(text.length(), (i + 1) * size)),
                "chunk_index",
                i));
      }
      return out;
    }
  }

  @Test
  void chunkerView_whenUdtfVersionChanges_recomputesEveryRow() {
    VersionedChunker.version = "1";
    VersionedChunker.size = 5;
    MaterializedView view =
        db.createUdtfView("chunks", docs.query().select("id", "text"), new VersionedChunker());
    view.refresh();
    long fives = view.table().countRows();

    VersionedChunker.version = "2";
    VersionedChunker.size = 50;
    RefreshPlan plan = view.planRefresh();
    view.refresh();

    assertThat(plan.fragmentsToRecompute()).isEqualTo(3);
    assertThat(view.table().countRows()).isLessThan(fives);
    assertThat(view.table().countRows("chunk_index > 0")).isZero();
    assertThat(view.table().countRows()).isEqualTo(docs.countRows("text IS NOT NULL"));
    VersionedChunker.version = "1";
    VersionedChunker.size = 5;
  }

  @Test
  void statefulChunker_opensOncePerWorkerAndClosesPerRefresh_andRefreshAsyncCompletes()
      throws Exception {
    dev.geneva.testing.CountingStatefulChunker.OPENS.set(0);
    dev.geneva.testing.CountingStatefulChunker.CLOSES.set(0);
    MaterializedView view =
        db.createUdtfView(
            "chunks",
            docs.query().select("id", "text"),
            new dev.geneva.testing.CountingStatefulChunker());

    RefreshResult result =
        view.refreshAsync(
                RefreshOptions.builder()
                    .backfillOptions(BackfillOptions.builder().concurrency(1).build())
                    .build())
            .future()
            .get(120, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(result.sourceRowsAdded()).isEqualTo(300);
    assertThat(dev.geneva.testing.CountingStatefulChunker.OPENS.get()).isEqualTo(1);
    assertThat(dev.geneva.testing.CountingStatefulChunker.CLOSES.get()).isEqualTo(1);
    assertThat(viewChunks(view.table().uri())).isEqualTo(expectedChunks());
  }

  /** Like {@link TextChunker}, retrying up to 3 attempts. */
  public static class RetryingChunker extends TextChunker {
    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().errorPolicy(ErrorPolicy.retry(3)).build();
    }
  }

  /** Returns a string for the int32 {@code chunk_index}: a value the column cannot hold. */
  public static class BadValueChunker extends RetryingChunker {
    static final java.util.concurrent.atomic.AtomicInteger CALLS =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Iterable<Map<String, ?>> apply(Row row) {
      CALLS.incrementAndGet();
      return List.of(Map.of("chunk", "x", "chunk_index", "not a number"));
    }
  }

  @Test
  void chunkerView_whenRetryPolicy_transientFailuresAreRetriedAndBadValuesAreNot() {
    MaterializedView view =
        db.createUdtfView("chunks", docs.query().select("id", "text"), new RetryingChunker());
    Faults.FAILING_IDS.add(42L);
    Faults.FAILURES_PER_ID.set(2);

    view.refresh();

    assertThat(viewChunks(view.table().uri())).isEqualTo(expectedChunks());

    BadValueChunker.CALLS.set(0);
    MaterializedView bad =
        db.createUdtfView("bad", docs.query().select("id", "text"), new BadValueChunker());
    // one fragment at a time, so the first bad value stops the refresh
    RefreshOptions oneAtATime =
        RefreshOptions.builder()
            .backfillOptions(BackfillOptions.builder().concurrency(1).build())
            .build();
    assertThatThrownBy(() -> bad.refresh(oneAtATime))
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("chunk_index");
    assertThat(BadValueChunker.CALLS.get()).as("a bad value is not retried").isEqualTo(1);
  }
}

package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Query#sample} and {@link Query#shuffle}: deterministic, and consistent with refresh. */
class ViewSampleShuffleTest {
  @TempDir Path dir;
  Connection db;
  Table docs;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    docs = SampleTables.create(db, "docs", 4_000, 500);
  }

  @AfterEach
  void close() {
    System.clearProperty("geneva.internal.view.shuffleBucketRows");
    db.close();
  }

  void append(long firstId, int rows) {
    SampleTables.append(docs, db.allocator(), firstId, rows);
  }

  /** The {@code id} column of a table in its physical order, read with plain lance-core. */
  static List<Long> idsInOrder(String uri) {
    List<Long> ids = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner =
            ds.newScan(new ScanOptions.Builder().columns(List.of("id")).build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          ids.add((Long) b.getVector("id").getObject(i));
        }
      }
    } catch (Exception e) {
      throw new AssertionError("lance-core cannot read " + uri, e);
    }
    return ids;
  }

  static Set<Long> liveIds(String uri) {
    return new HashSet<>(MaterializedViewTest.liveAddresses(uri).values());
  }

  MaterializedView view(String name, Query query) {
    return db.createMaterializedView(name, query, Map.of("len", new TextLength()));
  }

  @Test
  void sample_overThousandsOfRows_keepsTheFractionWithinAStatisticalBound() {
    for (long seed : new long[] {1, 42, -7}) {
      for (double fraction : new double[] {0.1, 0.5}) {
        MaterializedView v =
            view(
                "s_" + (seed & 0xff) + "_" + (int) (fraction * 10),
                docs.query().sample(fraction, seed));
        v.refresh();

        long rows = v.table().countRows();
        double mean = 4_000 * fraction;
        double sd = Math.sqrt(4_000 * fraction * (1 - fraction));
        // 5 standard deviations: fails by chance about once in 3.5 million runs
        assertThat((double) rows).isBetween(mean - 5 * sd, mean + 5 * sd);
        assertThat(v.sampleFraction()).hasValue(fraction);
        assertThat(v.sampleSeed()).hasValue(seed);
        assertThat(liveIds(docs.uri())).containsAll(idsInOrder(v.table().uri()));
      }
    }
  }

  @Test
  void sample_sameSeedKeepsTheSameRows_otherSeedOthers() {
    MaterializedView a = view("a", docs.query().select("id", "text").sample(0.3, 11));
    MaterializedView b = view("b", docs.query().select("id", "text").sample(0.3, 11));
    MaterializedView c = view("c", docs.query().select("id", "text").sample(0.3, 12));
    a.refresh();
    b.refresh();
    c.refresh();

    assertThat(MaterializedViewTest.rows(a.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(b.table().uri()));
    Set<Long> inA = new HashSet<>(idsInOrder(a.table().uri()));
    Set<Long> inC = new HashSet<>(idsInOrder(c.table().uri()));
    assertThat(inC).isNotEqualTo(inA);
    // Independent samples of 30% overlap in about 9% of the rows, not 30%.
    Set<Long> both = new HashSet<>(inA);
    both.retainAll(inC);
    assertThat(both.size()).isBetween(200, 520);
  }

  @Test
  void sampledView_refreshAfterAppendsAndDeletes_equalsAViewBuiltFromScratch() {
    Query query = docs.query().select("id", "text").where("id % 3 <> 0").sample(0.4, 5);
    MaterializedView v = view("sampled", query);
    v.refresh();
    Set<Long> before = new HashSet<>(idsInOrder(v.table().uri()));

    append(4_000, 1_500);
    docs.delete("id % 10 = 1 OR (id >= 100 AND id < 200) OR id = 4100");
    RefreshResult second = v.refresh();

    MaterializedView scratch = view("scratch", query);
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(v.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
    Set<Long> after = new HashSet<>(idsInOrder(v.table().uri()));
    // Rows that stayed in the source stayed in the sample; no row left it otherwise.
    Set<Long> kept = new HashSet<>(before);
    kept.retainAll(liveIds(docs.uri()));
    assertThat(after).containsAll(kept);
    assertThat(after).allMatch(id -> id % 3 != 0 && id % 10 != 1);
    long appendedKept = after.stream().filter(id -> id >= 4_000).count();
    assertThat(second.sourceRowsAdded()).isEqualTo(appendedKept);
    // about 40% of the ~900 appended rows that pass the filter
    assertThat(appendedKept).isBetween(250L, 480L);
    assertThat(lengthsCorrect(v)).isTrue();
  }

  @Test
  void shuffle_sameSeedSameOrder_otherSeedOtherOrder_andEveryRowOnce() {
    MaterializedView a = view("a", docs.query().select("id", "text").shuffle(3));
    MaterializedView b = view("b", docs.query().select("id", "text").shuffle(3));
    MaterializedView c = view("c", docs.query().select("id", "text").shuffle(4));
    a.refresh();
    b.refresh();
    c.refresh();

    List<Long> orderA = idsInOrder(a.table().uri());
    List<Long> sourceOrder = idsInOrder(docs.uri());
    assertThat(orderA).containsExactlyInAnyOrderElementsOf(sourceOrder);
    assertThat(orderA).isNotEqualTo(sourceOrder);
    assertThat(orderA).isEqualTo(idsInOrder(b.table().uri()));
    assertThat(idsInOrder(c.table().uri())).isNotEqualTo(orderA);
    assertThat(a.shuffleSeed()).hasValue(3);
    assertThat(a.sampleFraction()).isEmpty();
    // A shuffle, not a rotation or a block move: few neighbours stay neighbours.
    int adjacent = 0;
    for (int i = 1; i < orderA.size(); i++) {
      adjacent += Math.abs(orderA.get(i) - orderA.get(i - 1)) == 1 ? 1 : 0;
    }
    assertThat(adjacent).isLessThan(40);
  }

  @Test
  void shuffle_inSmallSlices_writesTheSameOrderAsInOneSlice() {
    MaterializedView whole = view("whole", docs.query().shuffle(9));
    whole.refresh();
    System.setProperty("geneva.internal.view.shuffleBucketRows", "97");
    MaterializedView sliced = view("sliced", docs.query().shuffle(9));
    RefreshResult result = sliced.refresh();

    assertThat(idsInOrder(sliced.table().uri())).isEqualTo(idsInOrder(whole.table().uri()));
    assertThat(result.sourceRowsAdded()).isEqualTo(4_000);
    assertThat(sliced.table().countRows("len IS NULL AND text IS NOT NULL")).isZero();
  }

  @Test
  void shuffle_cancelledBetweenSlices_resumesToTheOrderOfAnUninterruptedRefresh() throws Exception {
    MaterializedView whole = view("whole", docs.query().shuffle(13));
    whole.refresh();
    System.setProperty("geneva.internal.view.shuffleBucketRows", "50");
    MaterializedView v = view("cancelled", docs.query().shuffle(13));

    RefreshJob job = v.refreshAsync();
    RefreshJobTest.await(job, p -> p.viewRowsAdded() >= 200, new ArrayList<>());
    job.cancel();
    assertThatThrownBy(job::join).isInstanceOf(java.util.concurrent.CancellationException.class);
    long partial = v.table().countRows();
    v.refresh();

    assertThat(partial).isBetween(200L, 3_999L);
    assertThat(idsInOrder(v.table().uri())).isEqualTo(idsInOrder(whole.table().uri()));
    assertThat(MaterializedViewTest.rows(v.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(whole.table().uri()));
  }

  @Test
  void shuffledAndSampledView_refreshAfterAppendsAndDeletes_equalsRebuildAndKeepsOrders() {
    Query query = docs.query().select("id", "text").sample(0.5, 21).shuffle(8);
    MaterializedView v = view("shuffled", query);
    v.refresh();
    List<Long> firstOrder = idsInOrder(v.table().uri());

    append(4_000, 1_000);
    docs.delete("id % 10 = 1 OR id = 4100");
    v.refresh();

    MaterializedView scratch = view("scratch", query);
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(v.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
    List<Long> order = idsInOrder(v.table().uri());
    List<Long> rebuilt = idsInOrder(scratch.table().uri());
    // The rows of the first refresh keep their order, and come first.
    List<Long> old = new ArrayList<>(firstOrder);
    old.removeIf(id -> id % 10 == 1);
    assertThat(order.subList(0, old.size())).isEqualTo(old);
    // The appended rows follow in the seeded order: the order a rebuild gives them.
    List<Long> appended = order.subList(old.size(), order.size());
    assertThat(appended).allMatch(id -> id >= 4_000);
    assertThat(appended).isEqualTo(rebuilt.stream().filter(id -> id >= 4_000).toList());
    assertThat(old).isEqualTo(rebuilt.stream().filter(id -> id < 4_000).toList());
  }

  @Test
  void queryOptions_whenInvalid_failBeforeAnythingIsCreated() {
    assertThatThrownBy(() -> docs.query().sample(0, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sample fraction must be more than 0 and at most 1, got 0.0");
    assertThatThrownBy(() -> docs.query().sample(1.5, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("got 1.5");
    assertThatThrownBy(() -> docs.query().sample(Double.NaN, 1))
        .isInstanceOf(InvalidInputException.class);
    List<String> tables = db.tableNames();

    assertThatThrownBy(
            () -> db.createUdtfView("chunks", docs.query().shuffle(1), new TextChunker()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("createUdtfView 'chunks': the query is shuffled")
        .hasMessageContaining("view.table().query().shuffle(seed)");
    assertThat(db.tableNames()).isEqualTo(tables);
  }

  @Test
  void query_equalsAndToString_includeShuffleAndSample() {
    Query q = docs.query().select("id").sample(0.25, 3).shuffle(5);
    assertThat(q).isEqualTo(docs.query().select("id").sample(0.25, 3).shuffle(5));
    assertThat(q).isNotEqualTo(docs.query().select("id").sample(0.25, 4).shuffle(5));
    assertThat(q.hashCode())
        .isEqualTo(docs.query().select("id").sample(0.25, 3).shuffle(5).hashCode());
    assertThat(q.toString()).contains("shuffleSeed=5").contains("sample=0.25, sampleSeed=3");
    assertThat(q.sampleSeed()).hasValue(3);
    assertThat(docs.query().sampleSeed()).isEmpty();
    assertThat(docs.query().shuffle().shuffleSeed()).isPresent();
  }

  /** Tells whether every view row's {@code len} is its text's length, computed independently. */
  boolean lengthsCorrect(MaterializedView v) {
    Map<Long, Object> len =
        new TreeMap<>(dev.geneva.testing.LanceColumns.byId(db.allocator(), v.table().uri(), "len"));
    return !len.isEmpty()
        && len.entrySet().stream()
            .allMatch(e -> java.util.Objects.equals(e.getValue(), TextLength.expected(e.getKey())));
  }
}

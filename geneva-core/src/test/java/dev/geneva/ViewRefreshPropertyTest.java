package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random histories of appends, deletes, compactions and refreshes (some failing part-way): after
 * every finished refresh the view holds exactly the live source rows matching its filter, each with
 * its independently computed value and the address of its live source row.
 */
class ViewRefreshPropertyTest {
  @TempDir Path dir;
  Connection db;

  @BeforeEach
  void open() {
    Faults.reset();
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    Faults.reset();
    db.close();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void refresh_afterRandomHistory_holdsExactlyTheMatchingLiveRows(long seed) throws Exception {
    Random random = new Random(seed);
    Table docs =
        SampleTables.create(db, "docs", 200 + random.nextInt(200), 50 + random.nextInt(100));
    long nextId = docs.countRows();
    MaterializedView view =
        db.createMaterializedView(
            "view",
            docs.query().select("id", "text").where("id % 5 <> 0"),
            Map.of("len", new FlakyLength()));
    RefreshOptions options =
        RefreshOptions.builder()
            .backfillOptions(BackfillOptions.builder().concurrency(2).batchSize(32).build())
            .build();
    for (int step = 0; step < 7; step++) {
      switch (random.nextInt(4)) {
        case 0 -> {
          int rows = 1 + random.nextInt(120);
          try (ArrowStreamReader r = SampleTables.rows(db.allocator(), nextId, rows)) {
            docs.add(r);
          }
          nextId += rows;
        }
        case 1 -> docs.delete("id % " + (3 + random.nextInt(9)) + " = " + random.nextInt(3));
        case 2 -> {
          try (BufferAllocator allocator = new RootAllocator();
              Dataset ds = Dataset.open(docs.uri(), allocator)) {
            ds.compact();
          }
        }
        default -> {
          Faults.FAILING_IDS.add((long) random.nextInt((int) nextId));
          try {
            view.refresh(options);
          } catch (GenevaException expected) {
            // the failing id was live, selected and new: the next refresh resumes
          }
          Faults.reset();
        }
      }
      view.refresh(options);
      assertViewMatchesSource(docs, view, "seed " + seed + " step " + step);
    }
  }

  private void assertViewMatchesSource(Table docs, MaterializedView view, String when) {
    Map<Long, Object> expected = new TreeMap<>();
    LanceColumns.byId(db.allocator(), docs.uri(), "text")
        .forEach(
            (id, text) -> {
              if (id % 5 != 0) {
                expected.put(id, text == null ? null : text.toString().length());
              }
            });
    assertThat(LanceColumns.byId(db.allocator(), view.table().uri(), "len"))
        .as("view values, %s", when)
        .isEqualTo(expected);
    Map<Long, Long> live = MaterializedViewTest.liveAddresses(docs.uri());
    LanceColumns.byId(db.allocator(), view.table().uri(), MaterializedView.SOURCE_ROW_ID)
        .forEach(
            (id, address) ->
                assertThat(live.get((Long) address))
                    .as("source of id %d, %s", id, when)
                    .isEqualTo(id));
    assertThat(view.refreshedVersion()).as(when).hasValue(docs.version());
  }
}

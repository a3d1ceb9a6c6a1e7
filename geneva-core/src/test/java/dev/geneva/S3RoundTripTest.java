package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.Columns;
import dev.geneva.testing.GroupUdfs;
import dev.geneva.testing.IdSignature;
import dev.geneva.testing.InProcessS3;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.ErrorRule;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.apache.arrow.vector.types.TimeUnit;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, backfill and reopen a table in S3, served in-process by s3proxy. */
class S3RoundTripTest {
  private static final String ACCESS_KEY = "geneva-test-access";
  private static final String SECRET_KEY = "geneva-test-secret-key";
  private static InProcessS3 s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = InProcessS3.start(ACCESS_KEY, SECRET_KEY, "lake");
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  private static Map<String, String> storageOptions() {
    return s3.storageOptions(ACCESS_KEY, SECRET_KEY);
  }

  @Test
  void addRows_whenTableInS3_rerunComputesOnlyTheNewRowsAndPackagesAreStoredBeside() {
    try (Connection db = Geneva.connect("s3://lake/rows", storageOptions())) {
      Table t = SampleTables.create(db, "docs", 200, 100);
      t.addColumns(Map.of("sig", new IdSignature()));
      assertThat(t.backfill("sig").rowsProcessed()).isEqualTo(200);

      AddResult added =
          t.add(
              java.util.List.of(
                  Map.of("id", 200L, "text", "four"), Map.of("id", 201, "text", "seven!!")));

      assertThat(added.rowsAdded()).isEqualTo(2);
      assertThat(t.backfill("sig").rowsProcessed()).isEqualTo(2);
      db.definePackage("embed-v3", PackageDefinition.of("example/Package", 1, "{\"v\": 3}"));
    }
    try (Connection db = Geneva.connect("s3://lake/rows", storageOptions())) {
      Map<Long, Object> sig = Columns.byId(db.openTable("docs"), "sig");
      assertThat(sig).hasSize(202);
      sig.forEach(
          (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
      assertThat(Columns.byId(db.openTable("docs"), "text").get(201L)).hasToString("seven!!");
      assertThat(db.storedPackage("embed-v3").orElseThrow().json()).isEqualTo("{\"v\": 3}");
      assertThat(db.tableNames()).containsExactly("docs");
    }
    assertThat(s3.blobStore().list("lake", ListContainerOptions.Builder.recursive()))
        .anyMatch(b -> b.getName().startsWith("rows/_geneva/packages.lance/"));
  }

  @Test
  void backfill_whenUdfOfSeveralColumnsInS3_filteredRunThenRerunFillsEveryMember() {
    try (Connection db = Geneva.connect("s3://lake/group", storageOptions())) {
      Table t = SampleTables.create(db, "docs", 600, 250);
      t.delete("id % 8 = 3");
      t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
      BackfillOptions split = BackfillOptions.builder().rowsPerTask(100).build();

      t.backfill("stats", split.toBuilder().where("id < 300").build());
      assertThat(t.countRows("id >= 300 AND words IS NOT NULL")).isZero();
      t.backfill("lang", split);
    }
    try (Connection db = Geneva.connect("s3://lake/group", storageOptions())) {
      Table t = db.openTable("docs");
      Map<Long, Object> words = Columns.byId(t, "words");
      Map<Long, Object> lang = Columns.byId(t, "lang");
      Map<Long, Object> vec = Columns.byId(t, "vec");
      assertThat(words).hasSize(525);
      words.forEach(
          (id, v) -> {
            assertThat(v).as("words of id %d", id).isEqualTo(GroupUdfs.expectedWords(id));
            Object l = GroupUdfs.expectedLang(id);
            assertThat(lang.get(id))
                .as("lang of id %d", id)
                .isEqualTo(l == null ? null : l.toString());
            assertThat(vec.get(id)).as("vec of id %d", id).isEqualTo(GroupUdfs.expectedVec(id));
          });
    }
  }

  @Test
  void backfill_whenTableInS3_valuesSurviveReopenInANewConnection() {
    try (Connection db = Geneva.connect("s3://lake/db", storageOptions())) {
      Table t = SampleTables.create(db, "docs", 3_000, 1_000);
      t.delete("id % 5 = 0");
      t.addColumns(Map.of("len", new TextLength()));
      BackfillResult r = t.backfill("len", BackfillOptions.builder().concurrency(2).build());
      assertThat(r.rowsProcessed()).isEqualTo(2_400);
      assertThat(db.tableNames()).containsExactly("docs");
    }
    assertThat(s3.blobStore().list("lake", ListContainerOptions.Builder.recursive()))
        .as("checkpoints are deleted once everything is committed")
        .isNotEmpty()
        .noneMatch(blob -> blob.getName().contains("_geneva/checkpoints/"));

    try (Connection db = Geneva.connect("s3://lake/db", storageOptions())) {
      Table t = db.openTable("docs");
      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(2_400);
      len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
      assertThat(t.schema().findField("len").getMetadata())
          .containsEntry("geneva.udf.class", TextLength.class.getName());
    }
  }

  @Test
  void backfill_whenTypedUdfSkipsRowsThenIsAlteredInS3_recordsFailuresAndRecomputes() {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .output(
                UdfTypes.struct(
                    UdfTypes.named("at", UdfTypes.timestamp(TimeUnit.MICROSECOND, "UTC")),
                    UdfTypes.named("price", UdfTypes.decimal(12, 2))))
            .errorPolicy(ErrorPolicy.of(ErrorRule.skip().matching("^no price")))
            .build();
    Scripted.function =
        id -> {
          if (id % 100 == 7) {
            throw new IllegalStateException("no price for " + id);
          }
          return Map.of("at", Instant.ofEpochSecond(id), "price", BigDecimal.valueOf(id, 2));
        };
    try (Connection db = Geneva.connect("s3://lake/typed", storageOptions())) {
      Table t = SampleTables.create(db, "docs", 1_000, 250);
      t.addColumns(Map.of("quote", new Scripted()));
      BackfillResult r =
          t.backfill("quote", BackfillOptions.builder().concurrency(2).rowsPerTask(100).build());
      assertThat(r.rowsFailed()).isEqualTo(10);
      assertThat(r.failedRows())
          .extracting(f -> f.fragmentId() * 250L + f.rowOffset())
          .containsExactlyInAnyOrder(7L, 107L, 207L, 307L, 407L, 507L, 607L, 707L, 807L, 907L);

      Scripted.spec = Scripted.spec.toBuilder().version("2").build();
      Scripted.function =
          id -> Map.of("at", Instant.ofEpochSecond(-id), "price", BigDecimal.valueOf(-id, 2));
      t.alterColumns(Map.of("quote", new Scripted()));
      BackfillResult again = t.backfill("quote");
      assertThat(again.udfChange()).isEqualTo("version 1 -> 2");
      assertThat(again.rowsProcessed()).isEqualTo(1_000);
    }
    try (Connection db = Geneva.connect("s3://lake/typed", storageOptions())) {
      Map<Long, Object> quotes = Columns.byId(db.openTable("docs"), "quote");
      assertThat(quotes).hasSize(1_000);
      quotes.forEach(
          (id, v) ->
              assertThat(v.toString())
                  .as("row %d", id)
                  .contains(
                      "\"at\":" + (-id * 1_000_000L), "\"price\":" + BigDecimal.valueOf(-id, 2)));
      assertThat(db.openTable("docs").backfill("quote").rowsProcessed()).isZero();
    } finally {
      Scripted.spec = null;
      Scripted.function = null;
    }
  }
}

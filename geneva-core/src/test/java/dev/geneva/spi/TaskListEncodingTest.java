package dev.geneva.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskListEncodingTest {
  private static BackfillTask task(int id, int fragment, long start, long end) {
    return new BackfillTask(
        id,
        "/db/docs.lance",
        Map.of("aws_region", "eu-west-1"),
        7,
        "len",
        3,
        "com.example.Len",
        "1",
        "",
        fragment,
        start,
        end,
        2,
        0,
        false,
        512,
        "f" + fragment + "-key");
  }

  @Test
  void toBytes_whenSeveralTasks_roundTripsInOrder() {
    List<BackfillTask> tasks = List.of(task(0, 4, 0, 10), task(1, 5, 0, 20), task(2, 9, 5, 8));

    assertThat(BackfillTask.listFromBytes(BackfillTask.toBytes(tasks))).isEqualTo(tasks);
  }

  @Test
  void toBytes_whenTaskOfSeveralColumns_roundTripsTheColumnsAndKeepsOneColumnTasksInFormat1() {
    BackfillTask one = task(0, 4, 0, 10);
    BackfillTask group =
        new BackfillTask(
            1,
            "/db/docs.lance",
            Map.of(),
            7,
            "stats",
            3,
            "com.example.Stats",
            "1",
            "",
            4,
            0,
            10,
            2,
            1,
            true,
            512,
            "f4-key",
            List.of("words", "lang", "vec"));

    BackfillTask decoded = BackfillTask.fromBytes(group.toBytes());

    assertThat(decoded).isEqualTo(group);
    assertThat(decoded.fileColumns()).containsExactly("words", "lang", "vec");
    assertThat(one.fileColumns()).containsExactly("len");
    assertThat(BackfillTask.fromBytes(one.toBytes())).isEqualTo(one);
    assertThat(one.toBytes()[3]).as("format of a one-column task").isEqualTo((byte) 1);
    assertThat(group.toBytes()[3]).as("format of a group's task").isEqualTo((byte) 2);
  }

  @Test
  void toBytes_whenSeveralResults_roundTripsInOrder() {
    List<TaskResult> results =
        List.of(
            new TaskResult(4, 0, 10, "geneva-a.lance", 10, 0),
            new TaskResult(5, 0, 20, "geneva-b.lance", 18, 2));

    assertThat(TaskResult.listFromBytes(TaskResult.toBytes(results))).isEqualTo(results);
  }

  @Test
  void listFromBytes_whenTruncatedOrSingleRecord_refuses() {
    byte[] list = TaskResult.toBytes(List.of(new TaskResult(4, 0, 10, "geneva-a.lance", 10, 0)));

    assertThatThrownBy(() -> TaskResult.listFromBytes(Arrays.copyOf(list, list.length - 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(
            () -> TaskResult.listFromBytes(new TaskResult(4, 0, 10, "f", 1, 0).toBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a list");
  }

  @Test
  void fromBytes_whenResultCarriesTimings_roundTripsThem() {
    TaskResult result =
        new TaskResult(
            4,
            0,
            10,
            "geneva-a.lance",
            10,
            1,
            List.of(new dev.geneva.FailedRow(3, "java.io.IOException", "boom")),
            new TaskTimings(11, 22, 33, 44));

    assertThat(TaskResult.fromBytes(result.toBytes())).isEqualTo(result);
  }

  @Test
  void fromBytes_whenWrittenBeforeTimings_readsThemAsNone() throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.DataOutputStream(bytes)) {
      out.writeInt(0x47525233); // "GRR3", the encoding without timings
      out.writeInt(4);
      out.writeLong(0);
      out.writeLong(10);
      out.writeUTF("geneva-a.lance");
      out.writeLong(10);
      out.writeLong(0);
      out.writeInt(0); // no failed rows
    }

    TaskResult read = TaskResult.fromBytes(bytes.toByteArray());

    assertThat(read).isEqualTo(new TaskResult(4, 0, 10, "geneva-a.lance", 10, 0));
    assertThat(read.timings()).isEqualTo(TaskTimings.NONE);
  }

  @Test
  void taskTimings_whenNegative_refuses() {
    assertThatThrownBy(() -> new TaskTimings(0, -1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("udf -1");
  }
}

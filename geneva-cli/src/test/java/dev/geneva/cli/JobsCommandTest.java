package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The jobs commands against a JDK HttpServer that answers like Ray's dashboard. */
class JobsCommandTest {
  private static final String JOB_1 =
      "{\"submission_id\":\"raysubmit_1\",\"job_id\":\"02000000\",\"type\":\"SUBMISSION\","
          + "\"status\":\"RUNNING\",\"message\":\"Job is running.\",\"start_time\":1700000000000,"
          + "\"entrypoint\":\"java -cp app.jar Driver\",\"metadata\":{},\"runtime_env\":{}}";
  private static final String JOB_2 =
      "{\"submission_id\":\"raysubmit_2\",\"job_id\":null,\"type\":\"SUBMISSION\","
          + "\"status\":\"SUCCEEDED\",\"message\":\"done\",\"start_time\":1700000000000,"
          + "\"end_time\":1700000060000,\"driver_exit_code\":0,"
          + "\"entrypoint\":\"java -version\",\"metadata\":{},\"runtime_env\":{}}";

  private HttpServer server;
  private String url;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
    requests.add(key);
    switch (key) {
      case "GET /api/jobs/" -> reply(ex, 200, "[" + JOB_1 + "," + JOB_2 + "]");
      case "GET /api/jobs/raysubmit_1" -> reply(ex, 200, JOB_1);
      case "GET /api/jobs/raysubmit_1/logs" ->
          reply(ex, 200, "{\"logs\":\"line 1\\nline 2\\nline 3\\n\"}");
      case "POST /api/jobs/raysubmit_1/stop" -> reply(ex, 200, "{\"stopped\":true}");
      case "POST /api/jobs/raysubmit_2/stop" -> reply(ex, 200, "{\"stopped\":false}");
      default -> reply(ex, 404, "Job raysubmit_x does not exist");
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Test
  void list_whenJobsExist_printsEachAndJsonParses() throws Exception {
    Result r = Cli.run("jobs", "list", "--dashboard", url);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("raysubmit_1")
        .contains("RUNNING")
        .contains("raysubmit_2")
        .contains("SUCCEEDED")
        .contains("2023-11-14T22:13:20Z");

    Result json = Cli.run("jobs", "list", "--dashboard", url, "--json");
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc).hasSize(2);
    assertThat(doc.get(1).get("submissionId").asText()).isEqualTo("raysubmit_2");
    assertThat(doc.get(1).get("driverExitCode").asInt()).isZero();
    assertThat(requests).contains("GET /api/jobs/");
  }

  @Test
  void status_whenJobExists_printsIt() throws Exception {
    Result r = Cli.run("jobs", "status", "raysubmit_1", "--dashboard", url, "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("status").asText()).isEqualTo("RUNNING");
    assertThat(doc.get("entrypoint").asText()).isEqualTo("java -cp app.jar Driver");
  }

  @Test
  void status_whenNoSuchJob_exitsOne() {
    Result r = Cli.run("jobs", "status", "raysubmit_x", "--dashboard", url);
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.err()).contains("no Ray job raysubmit_x");
  }

  @Test
  void logs_whenTail_printsLastLines() {
    Result all = Cli.run("jobs", "logs", "raysubmit_1", "--dashboard", url);
    assertThat(all.exit()).as(all.toString()).isZero();
    assertThat(all.out()).isEqualTo("line 1\nline 2\nline 3\n");

    Result tail = Cli.run("jobs", "logs", "raysubmit_1", "--tail", "2", "--dashboard", url);
    assertThat(tail.out()).isEqualTo("line 2\nline 3\n");
  }

  @Test
  void stop_whenRunningOrEnded_exitsZeroSayingWhich() throws Exception {
    Result r = Cli.run("jobs", "stop", "raysubmit_1", "--dashboard", url);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("stopped raysubmit_1");

    Result ended = Cli.run("jobs", "stop", "raysubmit_2", "--dashboard", url, "--json");
    assertThat(ended.exit()).isZero();
    assertThat(new ObjectMapper().readTree(ended.out()).get("stopped").asBoolean()).isFalse();
  }

  @Test
  void list_whenDashboardUnreachable_exitsThree() throws IOException {
    server.stop(0);
    Result r = Cli.run("jobs", "list", "--dashboard", url);
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).contains("unexpected error");
  }
}

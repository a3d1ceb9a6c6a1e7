package dev.geneva.k8s.testing;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * fabric8's mock API server in CRUD mode (what {@code @EnableKubernetesMockClient(crud = true)}
 * builds), with one fix and an explicit shutdown order. Create one per test and close it last.
 *
 * <p><b>Why not the JUnit extension.</b> In kubernetes-server-mock 8.0.0 a watch's {@code
 * WatchEventsListener.onClosed} runs on the Vert.x event loop (the WebSocket's end handler) and
 * there waits up to a minute for the watch's single-thread send executor to terminate. That
 * executor sends each watch event with {@code VertxMockWebSocket.send}, which blocks (up to 30 s)
 * until the Vert.x write future completes, and only the event loop can complete it. So when a
 * client closes a watch while an event for it is still being written (the SDK closing its informers
 * after a fail-fast start while the fake operator still creates pods; the fake operator closing its
 * watch while the SDK deletes the cluster), the event loop and the sender wait for each other for
 * 30 s. Every request on that event loop stalls meanwhile, and a server shut down in that window
 * fails with {@code IllegalStateException: Unable to close MockWebServer} (Vert.x 5's {@code
 * HttpServer.close()} waits for every connection, and the test extension allows 10 s). Thread dumps
 * show {@code vert.x-eventloop-thread-0} parked in {@code ThreadPoolExecutor.awaitTermination}
 * under {@code WatchEventsListener.onClosed}, and the listener's {@code pool-N-thread-1} parked in
 * {@code VertxMockWebSocket.awaitWrite}.
 *
 * <p>This server hands {@code onClosed} and {@code onFailure} of every watch to a thread of its
 * own, so the event loop stays free to finish the pending write and the listener then shuts down in
 * milliseconds. Everything else (CRUD, expectations, event order) is the stock server.
 *
 * <p>One more race of the stock listener gets wider off the event loop, so it is closed too: {@code
 * onClosed} shuts the send executor down first and leaves the dispatcher's set of watches only
 * after it terminated; a create, update or delete in between schedules an event on the dead
 * executor, and the {@code RejectedExecutionException} aborts that request without an answer (the
 * client then waits for ever). Here the closing watch leaves the set first, while no write is being
 * dispatched (the {@code writes} lock), and only then runs the stock {@code onClosed}.
 *
 * <p>{@link #close()} also checks the test left no watch open: it closes its own client, waits
 * until the server saw every watch closed, fails if one is still open (a leaked watch or informer),
 * and only then shuts the server down.
 */
public final class MockKubernetes implements AutoCloseable {
  private final ExecutorService closer =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "mock-watch-close");
            t.setDaemon(true);
            return t;
          });
  private final Set<String> openWatches = ConcurrentHashMap.newKeySet();
  private final Queue<OneShot> oneShots = new ConcurrentLinkedQueue<>();

  /** An answer for the first request that matches, before expectations and CRUD see it. */
  private record OneShot(Predicate<RecordedRequest> match, int code, String body) {}

  /** Shared by every dispatched write (they send the watch events); exclusive to leave the set. */
  private final ReadWriteLock writes = new ReentrantReadWriteLock();

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;

  /**
   * Starts the server (CRUD mode, plain HTTP: TLS would add a self-signed RSA key generation to
   * every test and nothing the tests check) and a client for it.
   */
  public MockKubernetes() {
    this(false);
  }

  /**
   * Starts the server in CRUD mode and a client for it.
   *
   * @param https serve TLS with a self-signed certificate for {@code localhost} ({@code
   *     server().getSelfSignedCertificate()}), for code that insists on an https endpoint and a CA,
   *     such as cloud auth that reads both from a cloud API; the client trusts it
   */
  public MockKubernetes(boolean https) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    Dispatcher dispatcher = new WatchCloseOffEventLoop(new KubernetesMixedDispatcher(responses));
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            dispatcher,
            https);
    server.init();
    client = server.createClient();
  }

  /**
   * The server, for expectations and request counts.
   *
   * @return the server
   */
  public KubernetesMockServer server() {
    return server;
  }

  /**
   * A client of the server, closed by {@link #close()}.
   *
   * @return the client
   */
  public NamespacedKubernetesClient client() {
    return client;
  }

  /**
   * Watches the server has open now, as request paths.
   *
   * @return the paths
   */
  public Set<String> openWatches() {
    return Set.copyOf(openWatches);
  }

  /**
   * Answers the first request that matches with this status and body, once; every other request
   * (and later matching ones) goes on to the expectations and the CRUD store. Unlike {@code
   * server().expect().withPath(..)}, which needs the exact path and query, this matches requests
   * whose query is not known in advance, e.g. a watch's {@code resourceVersion}, and it can refuse
   * a watch's WebSocket upgrade.
   *
   * @param match which request, e.g. by method, path and headers
   * @param code the HTTP status, e.g. 401
   * @param body the response body, e.g. a {@code Status} JSON
   */
  public void answerOnce(Predicate<RecordedRequest> match, int code, String body) {
    oneShots.add(new OneShot(match, code, body));
  }

  /**
   * Closes the client, waits until every watch is closed on the server, then shuts the server down.
   *
   * @throws IllegalStateException naming the watches still open after 10 s (closed anyway)
   */
  @Override
  public void close() {
    Set<String> leaked;
    try {
      client.close();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!openWatches.isEmpty() && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      leaked = openWatches();
      closer.shutdown();
      closer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while closing the mock server", e);
    } finally {
      closer.shutdownNow();
      server.destroy();
    }
    if (!leaked.isEmpty()) {
      throw new IllegalStateException(
          "Watches still open when the test ended (a watch or informer was not closed): " + leaked);
    }
  }

  /** Wraps the dispatcher so that the listener of every watch closes off the event loop. */
  private final class WatchCloseOffEventLoop extends Dispatcher {
    private final Dispatcher delegate;

    WatchCloseOffEventLoop(Dispatcher delegate) {
      this.delegate = delegate;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      for (OneShot o : oneShots) {
        if (o.match().test(request) && oneShots.remove(o)) {
          return new MockResponse()
              .setResponseCode(o.code())
              .setHeader("Content-Type", "application/json")
              .setBody(o.body());
        }
      }
      MockResponse response;
      if (request.getMethod() == null || "GET".equalsIgnoreCase(request.getMethod())) {
        response = delegate.dispatch(request);
      } else {
        writes.readLock().lock();
        try {
          response = delegate.dispatch(request);
        } finally {
          writes.readLock().unlock();
        }
      }
      WebSocketListener listener = response.getWebSocketListener();
      String path = request.getPath();
      if (listener != null && path != null && path.contains("watch=true")) {
        response.withWebSocketUpgrade(new OffLoopClose(listener, path));
      }
      return response;
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public void releaseResources() {
      delegate.releaseResources();
    }
  }

  /** Forwards every call, running the blocking {@code onClosed}/{@code onFailure} elsewhere. */
  private final class OffLoopClose extends WebSocketListener {
    private final WebSocketListener delegate;
    private final String key;

    OffLoopClose(WebSocketListener delegate, String path) {
      this.delegate = delegate;
      this.key = path + " #" + System.identityHashCode(this);
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      openWatches.add(key);
      delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      delegate.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
      delegate.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      delegate.onClosing(webSocket, code, reason); // only queues the close: safe on the loop
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      offLoop(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      offLoop(() -> delegate.onFailure(webSocket, t, response));
    }

    /** Takes the stock listener out of the dispatcher's set of watches, between two writes. */
    private void leaveWatchSet() {
      Set<?> watches;
      try {
        Field f = delegate.getClass().getDeclaredField("watchEventListenerList");
        f.setAccessible(true);
        watches = (Set<?>) f.get(delegate);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalStateException(
            "fabric8's WatchEventsListener changed (no watchEventListenerList): re-check"
                + " MockKubernetes against this kubernetes-server-mock version",
            e);
      }
      writes.writeLock().lock();
      try {
        watches.remove(delegate);
      } finally {
        writes.writeLock().unlock();
      }
    }

    private void offLoop(Runnable r) {
      Runnable task =
          () -> {
            try {
              leaveWatchSet();
              r.run();
            } finally {
              openWatches.remove(key);
            }
          };
      try {
        closer.execute(task);
      } catch (RejectedExecutionException e) {
        task.run(); // the server is shutting down: nothing left to wait for
      }
    }
  }
}

package dev.geneva.k8s.internal;

import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JVM shutdown hook that closes every started handle nobody closed. */
final class ShutdownHooks {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownHooks.class);
  private static final Set<ClusterSession> OPEN = ConcurrentHashMap.newKeySet();
  private static boolean installed;

  private ShutdownHooks() {}

  static synchronized void register(ClusterSession session) {
    if (!installed) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(ShutdownHooks::closeAll, "geneva-raycluster-shutdown"));
      installed = true;
    }
    OPEN.add(session);
  }

  static void unregister(ClusterSession session) {
    OPEN.remove(session);
  }

  static int openCount() {
    return OPEN.size();
  }

  /** Closes every registered session; what the shutdown hook runs. */
  static void closeAll() {
    for (ClusterSession s : new ArrayList<>(OPEN)) {
      try {
        LOG.warn("Closing RayCluster {} left open at JVM exit", s.describe());
        s.close();
      } catch (RuntimeException e) {
        LOG.warn("Could not close RayCluster {} at JVM exit: {}", s.describe(), e.getMessage());
      }
    }
  }
}

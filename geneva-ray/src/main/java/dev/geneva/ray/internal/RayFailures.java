package dev.geneva.ray.internal;

import dev.geneva.GenevaException;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.UdtfTask;
import io.ray.api.exception.RayException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns what Ray throws into the failure the engine reports. Ray wraps a task's exception in a
 * {@link io.ray.api.exception.RayTaskException} whose own message only names the task id (in LOCAL
 * mode: {@code "(pid=…, ip=…) Error executing task <id>"}); the UDF's failure is its cause.
 */
public final class RayFailures {
  private RayFailures() {}

  /**
   * The failure to complete a task's future with: the original exception when Ray carries it (its
   * message names the UDF and the row), otherwise a {@link GenevaException} naming the task.
   *
   * @param failure what Ray threw
   * @param task the task that failed
   * @return the failure
   */
  public static Throwable map(Throwable failure, BackfillTask task) {
    return map(failure, List.of(task));
  }

  /**
   * The failure to complete the future of a call that ran several tasks: the original exception
   * when Ray carries it, otherwise a {@link GenevaException} naming the tasks' fragments.
   *
   * @param failure what Ray threw
   * @param tasks the tasks of the call, at least one
   * @return the failure
   */
  public static Throwable map(Throwable failure, List<BackfillTask> tasks) {
    BackfillTask task = tasks.get(0);
    return map(
        failure,
        (tasks.size() == 1
                ? "task " + task.taskId() + " (fragment " + task.fragmentId()
                : tasks.size()
                    + " tasks (fragments "
                    + task.fragmentId()
                    + " to "
                    + tasks.get(tasks.size() - 1).fragmentId())
            + " of "
            + task.tableUri()
            + ", column '"
            + task.column()
            + "')");
  }

  /**
   * The failure to complete the future of a call that ran UDTF tasks: the original exception when
   * Ray carries it, otherwise a {@link GenevaException} naming the source fragments and the view.
   *
   * @param failure what Ray threw
   * @param tasks the tasks of the call, at least one
   * @return the failure
   */
  public static Throwable mapUdtf(Throwable failure, List<UdtfTask> tasks) {
    UdtfTask first = tasks.get(0);
    UdtfTask last = tasks.get(tasks.size() - 1);
    return map(
        failure,
        "the UDTF "
            + first.udtfClass()
            + " on source fragment"
            + (tasks.size() == 1
                ? " " + first.fragmentId()
                : "s " + first.fragmentId() + " to " + last.fragmentId())
            + " of view "
            + first.viewUri());
  }

  private static Throwable map(Throwable failure, String what) {
    Throwable cause = failure;
    while (isWrapper(cause) && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (!isWrapper(cause)) {
      return cause;
    }
    return new GenevaException("Ray could not run " + what + ": " + failure.getMessage(), failure);
  }

  private static boolean isWrapper(Throwable t) {
    return t instanceof RayException
        || t instanceof CompletionException
        || t instanceof ExecutionException;
  }

  /**
   * Whether the failure means the actor itself is gone (rather than one call failing).
   *
   * @param failure what Ray threw
   * @return true for an actor death
   */
  public static boolean isActorDeath(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof io.ray.api.exception.RayActorException) {
        return true;
      }
    }
    return false;
  }
}

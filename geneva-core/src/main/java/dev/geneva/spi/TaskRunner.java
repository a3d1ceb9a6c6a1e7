package dev.geneva.spi;

import dev.geneva.internal.engine.TaskExecution;
import dev.geneva.internal.view.UdtfTaskExecution;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Runs {@link BackfillTask}s inside a worker. One runner belongs to one worker (a thread or a Ray
 * actor) and is used by one thread at a time: it keeps the tables it opened and the UDF instances
 * it created (a {@link dev.geneva.udf.StatefulUdf} is opened once, on first use) until {@link
 * #close()}.
 */
public final class TaskRunner implements AutoCloseable {
  private final TaskExecution execution;
  private final BufferAllocator parent;
  private final String workerId;
  private UdtfTaskExecution udtfs;

  /**
   * Creates a runner.
   *
   * @param parent the allocator to take a child allocator from; the runner never closes it
   * @param workerId a name for the worker, passed to stateful UDFs
   */
  public TaskRunner(BufferAllocator parent, String workerId) {
    this.execution = new TaskExecution(parent, workerId);
    this.parent = parent;
    this.workerId = workerId;
  }

  /**
   * Runs one task: computes the column for the task's rows, writes the data file and records the
   * checkpoint.
   *
   * @param task the task
   * @param rowsDone called with the number of rows computed after each batch
   * @return what the task produced
   */
  public TaskResult run(BackfillTask task, LongConsumer rowsDone) {
    return execution.run(task, rowsDone);
  }

  /**
   * Runs several tasks in order on this worker, with the table opened once: each still writes its
   * own data file and records its own checkpoint as soon as it is done, so when a later one fails
   * the earlier ones are reused by the next run.
   *
   * @param tasks the tasks
   * @param rowsDone called with the number of rows computed after each batch
   * @return the results, in the order of {@code tasks}
   */
  public List<TaskResult> runAll(List<BackfillTask> tasks, LongConsumer rowsDone) {
    return execution.runAll(tasks, rowsDone);
  }

  /**
   * Runs the UDTF tasks of a view's refresh in order on this worker: each expands its rows with the
   * worker's UDTF instance (a {@link dev.geneva.udf.StatefulUdtf} is opened once, on first use),
   * writes its piece and records it as soon as it is done; a task whose piece is already recorded
   * returns the recorded result without running the UDTF.
   *
   * @param tasks the tasks
   * @param rowsDone called with the number of source rows expanded after each batch
   * @return the results, in the order of {@code tasks}
   */
  public List<UdtfTaskResult> runUdtf(List<UdtfTask> tasks, LongConsumer rowsDone) {
    if (udtfs == null) {
      udtfs = new UdtfTaskExecution(parent, workerId);
    }
    return udtfs.runAll(tasks, rowsDone);
  }

  /** Closes UDF and UDTF instances, tables and the allocators. Safe to call twice. */
  @Override
  public void close() {
    try {
      execution.close();
    } finally {
      if (udtfs != null) {
        udtfs.close();
      }
    }
  }
}

package io.sidetrack.injector;

/**
 * The pod annotations the injector reads and writes, on a Pod or a workload's pod template: the one
 * place their names are spelled.
 */
public final class Annotations {
  /** {@code "true"} opts the pod in; any other value, or none, leaves it untouched. */
  public static final String INJECT = "sidetrack.io/inject";

  /**
   * The workload the agent fronts; default the label {@code app.kubernetes.io/name}, else the label
   * {@code app}, else the object's name.
   */
  public static final String WORKLOAD = "sidetrack.io/workload";

  /**
   * The app port the agent takes over, a port name or number; default the first containerPort of
   * the first container.
   */
  public static final String PORT = "sidetrack.io/port";

  /**
   * The name of an environment variable the app reads its listen port from: the injector sets it on
   * the app's container to the port the app moves to, so the agent can take the app's port number
   * itself (needed when a Service targets the port by number).
   */
  public static final String APP_PORT_ENV = "sidetrack.io/app-port-env";

  /** Written by the injector, the version that injected: a pod that has it is left alone. */
  public static final String INJECTED = "sidetrack.io/injected";

  private Annotations() {}
}

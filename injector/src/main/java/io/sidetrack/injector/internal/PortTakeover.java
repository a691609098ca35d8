package io.sidetrack.injector.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidetrack.injector.AgentSettings;
import io.sidetrack.injector.Annotations;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the agent takes the app's port, so that Services reach the agent without being changed.
 *
 * <ul>
 *   <li>{@link Mode#RENAME} (the port has a name, no {@link Annotations#APP_PORT_ENV}): the agent's
 *       port takes the name, on a new number ({@link AgentSettings#AGENT_PORT}); the app keeps its
 *       number and its port is renamed {@code app-<name>}. A Service whose targetPort is the name
 *       now reaches the agent.
 *   <li>{@link Mode#MOVE} ({@link Annotations#APP_PORT_ENV} names the variable the app reads its
 *       port from): the agent takes the port's number (and its name, if any); the app moves to
 *       {@link AgentSettings#MOVED_APP_PORT} through that variable. A Service reaches the agent by
 *       number and by name.
 * </ul>
 *
 * A port without a name and without that annotation cannot be taken: a Service can only target it
 * by number, the agent would need that number, and nothing says how to move the app.
 *
 * @param container index of the app's container in {@code spec.containers}
 * @param portIndex index of the port in that container's {@code ports}, or -1 when not declared
 * @param name the port's name, or {@code null}
 * @param port the port's number, where the app listens now
 * @param agentPort where the agent listens
 * @param appPort where the app listens once injected
 * @param appName the app's port name once injected, or {@code null}
 * @param appPortEnv the variable set to {@code appPort} ({@link Mode#MOVE}), or {@code null}
 */
public record PortTakeover(
    Mode mode,
    int container,
    int portIndex,
    String name,
    int port,
    int agentPort,
    int appPort,
    String appName,
    String appPortEnv) {
  /** Which way the port is taken. */
  public enum Mode {
    RENAME,
    MOVE
  }

  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  /** Why a port cannot be taken: the message is the reason the user sees. */
  public static final class Refusal extends Exception {
    Refusal(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * The takeover of {@code pod}'s port ({@link Annotations#PORT}, default the first container's
   * first port).
   *
   * @throws Refusal naming what stands in the way and what to change
   */
  public static PortTakeover plan(PodTarget pod) throws Refusal {
    ArrayNode containers = containers(pod.podSpec());
    String wanted = pod.annotation(Annotations.PORT);
    int container = -1;
    int portIndex = -1;
    if (wanted == null || wanted.isBlank()) {
      JsonNode ports = containers.path(0).path("ports");
      if (!ports.isArray() || ports.isEmpty()) {
        throw new Refusal(
            "no port to take over: the first container declares none; set "
                + Annotations.PORT
                + " to the app's port name or number");
      }
      container = 0;
      portIndex = 0;
    } else {
      wanted = wanted.trim();
      boolean number = wanted.chars().allMatch(Character::isDigit);
      for (int c = 0; c < containers.size() && container < 0; c++) {
        JsonNode ports = containers.get(c).path("ports");
        for (int p = 0; p < ports.size(); p++) {
          JsonNode port = ports.get(p);
          if (number
              ? port.path("containerPort").asText().equals(wanted)
              : port.path("name").asText().equals(wanted)) {
            container = c;
            portIndex = p;
            break;
          }
        }
      }
      if (container < 0 && !number) {
        throw new Refusal("no container port named '" + wanted + "' (" + Annotations.PORT + ")");
      }
      if (container < 0) {
        // a port the app listens on without declaring it: the app is the first container
        int n = Integer.parseInt(wanted);
        if (n < 1 || n > 65535) {
          throw new Refusal("invalid " + Annotations.PORT + " '" + wanted + "'");
        }
        container = 0;
      }
    }
    String name = null;
    int port;
    if (portIndex >= 0) {
      JsonNode declared = containers.get(container).path("ports").get(portIndex);
      String protocol = declared.path("protocol").asText("TCP");
      if (!protocol.equals("TCP")) {
        throw new Refusal("port " + describe(declared) + " is " + protocol + ", not TCP");
      }
      if (declared.path("hostPort").asInt(0) != 0) {
        throw new Refusal(
            "port " + describe(declared) + " has a hostPort, which would go around the agent");
      }
      name = declared.path("name").asText("");
      name = name.isEmpty() ? null : name;
      port = declared.path("containerPort").asInt(0);
      if (port < 1 || port > 65535) {
        throw new Refusal("port " + describe(declared) + " has no valid containerPort");
      }
    } else {
      port = Integer.parseInt(wanted);
    }

    Set<Integer> numbers = new HashSet<>();
    Set<String> names = new HashSet<>();
    collectPorts(containers, numbers, names);
    collectPorts(pod.podSpec().path("initContainers"), numbers, names);
    if (numbers.contains(AgentSettings.ADMIN_PORT) && port != AgentSettings.ADMIN_PORT) {
      throw new Refusal(
          "port "
              + AgentSettings.ADMIN_PORT
              + " is taken by a container, and the agent's admin port needs it");
    }
    if (port == AgentSettings.ADMIN_PORT || names.contains(AgentSettings.ADMIN_PORT_NAME)) {
      throw new Refusal(
          "port "
              + AgentSettings.ADMIN_PORT
              + " ("
              + AgentSettings.ADMIN_PORT_NAME
              + ") is the agent's admin port: move the app off it");
    }

    String env = pod.annotation(Annotations.APP_PORT_ENV);
    String containerName = containers.get(container).path("name").asText("");
    if (env != null && !env.isBlank()) {
      env = env.trim();
      if (!ENV_NAME.matcher(env).matches()) {
        throw new Refusal(
            "invalid " + Annotations.APP_PORT_ENV + " '" + env + "': not an environment variable");
      }
      int appPort = free(AgentSettings.MOVED_APP_PORT, numbers);
      String appName = null;
      if (name != null) {
        names.remove(name);
        appName = PortNames.forApp(name, names);
        if (appName == null) {
          throw new Refusal("no free name for the app's port '" + name + "'");
        }
      }
      return new PortTakeover(
          Mode.MOVE, container, portIndex, name, port, port, appPort, appName, env);
    }
    if (name == null) {
      throw new Refusal(
          "port "
              + port
              + " of container '"
              + containerName
              + "' has no name, so a Service targets it by number and the agent would need that"
              + " number: name the port (and target the name in the Service), or set "
              + Annotations.APP_PORT_ENV
              + " to the variable the app reads its port from");
    }
    int agentPort = free(AgentSettings.AGENT_PORT, numbers);
    names.remove(name);
    String appName = PortNames.forApp(name, names);
    if (appName == null) {
      throw new Refusal("no free name for the app's port '" + name + "'");
    }
    return new PortTakeover(
        Mode.RENAME, container, portIndex, name, port, agentPort, port, appName, null);
  }

  /**
   * Moves or renames the app's port in {@code pod} (its container's port, the variable, and the
   * probes and lifecycle hooks of that container that point at the taken port).
   */
  public void applyTo(PodTarget pod) {
    ObjectNode app = (ObjectNode) containers(pod.podSpec()).get(container);
    if (portIndex >= 0) {
      ObjectNode declared = (ObjectNode) app.path("ports").get(portIndex);
      declared.put("containerPort", appPort);
      if (appName != null) {
        declared.put("name", appName);
      }
    }
    if (appPortEnv != null) {
      setEnv(app, appPortEnv, Integer.toString(appPort));
    }
    for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
      if (app.get(probe) instanceof ObjectNode p) {
        retarget(p);
      }
    }
    if (app.get("lifecycle") instanceof ObjectNode lifecycle) {
      for (String hook : new String[] {"postStart", "preStop"}) {
        if (lifecycle.get(hook) instanceof ObjectNode h) {
          retarget(h);
        }
      }
    }
  }

  /** One line for the user: what happened to which port. */
  public String summary() {
    String label = name == null ? Integer.toString(port) : "'" + name + "' (" + port + ")";
    return mode == Mode.RENAME
        ? "agent takes port "
            + label
            + " on "
            + agentPort
            + ", the app's port is renamed '"
            + appName
            + "'"
        : "agent takes port "
            + label
            + ", the app moves to "
            + appPort
            + " ("
            + appPortEnv
            + "="
            + appPort
            + ")";
  }

  /** A probe's or hook's httpGet/tcpSocket/grpc port that names or numbers the taken port. */
  private void retarget(ObjectNode handler) {
    for (String kind : new String[] {"httpGet", "tcpSocket", "grpc"}) {
      if (handler.get(kind) instanceof ObjectNode h && h.has("port")) {
        JsonNode p = h.get("port");
        boolean taken =
            (p.isNumber() && p.asInt() == port)
                || (p.isTextual() && name != null && p.asText().equals(name));
        if (!taken) {
          continue;
        }
        // by number in MOVE (the app's new number), by its new name in RENAME (same number)
        if (mode == Mode.RENAME && p.isTextual()) {
          h.put("port", appName);
        } else {
          h.put("port", appPort);
        }
      }
    }
  }

  private static void setEnv(ObjectNode container, String variable, String value) {
    ArrayNode env = container.get("env") instanceof ArrayNode a ? a : container.putArray("env");
    for (JsonNode e : env) {
      if (e.path("name").asText().equals(variable)) {
        ObjectNode entry = (ObjectNode) e;
        entry.remove("valueFrom");
        entry.put("value", value);
        return;
      }
    }
    env.addObject().put("name", variable).put("value", value);
  }

  static ArrayNode containers(ObjectNode podSpec) {
    return (ArrayNode) podSpec.get("containers");
  }

  private static void collectPorts(JsonNode containers, Set<Integer> numbers, Set<String> names) {
    for (JsonNode c : containers) {
      for (JsonNode p : c.path("ports")) {
        numbers.add(p.path("containerPort").asInt(0));
        if (p.hasNonNull("name")) {
          names.add(p.get("name").asText());
        }
      }
    }
  }

  private static int free(int from, Set<Integer> taken) {
    int n = from;
    while (taken.contains(n) || n == AgentSettings.ADMIN_PORT) {
      n++;
    }
    return n;
  }

  private static String describe(JsonNode port) {
    String n = port.path("name").asText("");
    return n.isEmpty()
        ? port.path("containerPort").asText()
        : "'" + n + "' (" + port.path("containerPort").asText() + ")";
  }
}

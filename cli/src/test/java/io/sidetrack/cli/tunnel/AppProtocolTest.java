package io.sidetrack.cli.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class AppProtocolTest {
  private static MultiMap contentType(String value) {
    return MultiMap.caseInsensitiveMultiMap().add("Content-Type", value);
  }

  @Test
  void grpcContentTypesGoOverH2cByDefault() {
    assertThat(AppProtocol.AUTO.h2c(contentType("application/grpc"), false)).isTrue();
    assertThat(AppProtocol.AUTO.h2c(contentType("application/grpc+proto"), false)).isTrue();
    assertThat(AppProtocol.AUTO.h2c(contentType("Application/GRPC; charset=utf-8"), false))
        .isTrue();
  }

  @Test
  void otherRequestsGoOverHttp1ByDefault() {
    assertThat(AppProtocol.AUTO.h2c(contentType("application/json"), false)).isFalse();
    assertThat(AppProtocol.AUTO.h2c(contentType("application/grpc-web"), false)).isFalse();
    assertThat(AppProtocol.AUTO.h2c(MultiMap.caseInsensitiveMultiMap(), false)).isFalse();
  }

  @Test
  void anH2cAppGetsEveryRequestOverH2cButUpgradesStayOnHttp1() {
    assertThat(AppProtocol.H2C.h2c(contentType("application/json"), false)).isTrue();
    assertThat(AppProtocol.H2C.h2c(MultiMap.caseInsensitiveMultiMap(), true)).isFalse();
    assertThat(AppProtocol.AUTO.h2c(contentType("application/grpc"), true)).isFalse();
  }
}

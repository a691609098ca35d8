package io.sidetrack.router.preview;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class PreviewSignInTest {
  @Test
  void afterSigningInTheVisitorGoesBackOnlyToAPathOnThisHost() {
    assertThat(PreviewSignIn.safeNext("/orders?id=1")).isEqualTo("/orders?id=1");
    assertThat(PreviewSignIn.safeNext(null)).isEqualTo("/");
    assertThat(PreviewSignIn.safeNext("")).isEqualTo("/");
    assertThat(PreviewSignIn.safeNext("https://evil.example/")).isEqualTo("/");
    assertThat(PreviewSignIn.safeNext("//evil.example/")).isEqualTo("/");
    assertThat(PreviewSignIn.safeNext("/\\evil.example/")).isEqualTo("/");
    assertThat(PreviewSignIn.safeNext("/a\r\nSet-Cookie: x")).isEqualTo("/");
  }

  @Test
  void theFormIsReadAsUrlEncodedFields() {
    assertThat(PreviewSignIn.formFields("token=a%2Bb+c&next=%2Fx%3Fy%3D1&token=second"))
        .containsEntry("token", "a+b c")
        .containsEntry("next", "/x?y=1");
    assertThat(PreviewSignIn.formFields("token=%zz&next=/")).doesNotContainKey("token");
  }

  @Test
  void aNavigationGetsTheFormAndAScriptsRequestDoesNot() {
    MultiMap nav = MultiMap.caseInsensitiveMultiMap().add("sec-fetch-mode", "navigate");
    MultiMap fetch =
        MultiMap.caseInsensitiveMultiMap().add("sec-fetch-mode", "cors").add("accept", "text/html");
    MultiMap oldBrowser = MultiMap.caseInsensitiveMultiMap().add("accept", "text/html,*/*");
    MultiMap curl = MultiMap.caseInsensitiveMultiMap().add("accept", "*/*");
    assertThat(PreviewSignIn.isNavigation(nav)).isTrue();
    assertThat(PreviewSignIn.isNavigation(fetch)).isFalse();
    assertThat(PreviewSignIn.isNavigation(oldBrowser)).isTrue();
    assertThat(PreviewSignIn.isNavigation(curl)).isFalse();
  }

  @Test
  void pagesEscapeWhatTheyShow() {
    assertThat(PreviewPages.escape("<a href=\"x\">'&'</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  }
}

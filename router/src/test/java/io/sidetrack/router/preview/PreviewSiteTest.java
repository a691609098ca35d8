package io.sidetrack.router.preview;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreviewSiteTest {
  private final PreviewSite site = new PreviewSite("preview.localhost", false);

  @Test
  void aLabelRightUnderTheDomainIsACode() {
    assertThat(site.parse("abc.preview.localhost")).isEqualTo(new PreviewSite.Code("abc"));
    assertThat(site.parse("ABC.Preview.LocalHost")).isEqualTo(new PreviewSite.Code("abc"));
    assertThat(site.parse("abc.preview.localhost.")).isEqualTo(new PreviewSite.Code("abc"));
  }

  @Test
  void theDomainItselfHasNoCode() {
    assertThat(site.parse("preview.localhost")).isInstanceOf(PreviewSite.Apex.class);
  }

  @Test
  void hostsNotRightUnderTheDomainAreForeign() {
    assertThat(site.parse("localhost")).isInstanceOf(PreviewSite.Foreign.class);
    assertThat(site.parse("127.0.0.1")).isInstanceOf(PreviewSite.Foreign.class);
    assertThat(site.parse("a.b.preview.localhost")).isInstanceOf(PreviewSite.Foreign.class);
    assertThat(site.parse("evilpreview.localhost")).isInstanceOf(PreviewSite.Foreign.class);
    assertThat(site.parse(".preview.localhost")).isInstanceOf(PreviewSite.Foreign.class);
    assertThat(site.parse(null)).isInstanceOf(PreviewSite.Foreign.class);
  }

  @Test
  void theUrlIsHttpWithoutTlsAndHttpsWithIt() {
    assertThat(site.url("abc", 8072)).isEqualTo("http://abc.preview.localhost:8072/");
    assertThat(site.secureCookies()).isFalse();
    PreviewSite tls = new PreviewSite("preview.example.com", true);
    assertThat(tls.url("abc", 443)).isEqualTo("https://abc.preview.example.com:443/");
    assertThat(tls.secureCookies()).isTrue();
  }

  @Test
  void theUrlsHostParsesBackToItsCode() {
    String code = new PreviewCodes().newCode();
    String host = java.net.URI.create(site.url(code, 1)).getHost();
    assertThat(site.parse(host)).isEqualTo(new PreviewSite.Code(code));
  }
}

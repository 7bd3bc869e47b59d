package node

import (
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/rules"
)

// The translations of diembao.yaml (validated and defaulted once, by
// internal/config) into the settings of each package: the one converter,
// for the node's stages and the one-shot commands alike. Every caller takes
// them from here, so a setting reaches every road the same way.

// FetchConfig is the crawler's settings for any fetch: the crawl role, the
// portal watch, case intake, `sources check` and the sources editor's
// preview.
func FetchConfig(c config.Config) crawler.Config {
	return crawler.Config{UserAgent: c.Crawler.UserAgent, ContactURL: c.Crawler.ContactURL, Timeout: c.Crawler.Timeout.D(),
		MaxBody: c.Crawler.MaxBody, Parallel: c.Crawler.Parallel, StaleAfter: c.Crawler.StaleAfter, Location: c.Location()}
}

// OneShotFetch is FetchConfig for someone waiting on the answer: no retries,
// and at most timeout per page when timeout > 0.
func OneShotFetch(c config.Config, timeout time.Duration) crawler.Config {
	cc := FetchConfig(c)
	cc.MaxRetries = -1
	if timeout > 0 {
		cc.Timeout = min(cc.Timeout, timeout)
	}
	return cc
}

// crawlerConfig is the crawl role's settings: FetchConfig plus the area
// filter of require_area sources.
func crawlerConfig(c config.Config, rl *rules.Reloader) crawler.Config {
	cc := FetchConfig(c)
	cc.Area = areaFilter{rl}
	return cc
}

// alertsConfig is the matcher's and the notifier's settings.
func alertsConfig(c config.Config) alerts.Config {
	return alerts.Config{
		Audiences:   c.Audiences,
		Routes:      c.Routes,
		GroupWait:   c.Alerts.GroupWait.D(),
		Repeat:      c.Alerts.Repeat.D(),
		MaxAttempts: c.Alerts.MaxAttempts,
		BaseURL:     c.HTTP.BaseURL,
		From:        c.SMTP.From,
		Location:    c.Location(),
	}
}

// smtpConfig is the mailer's settings.
func smtpConfig(c config.SMTP) alerts.SMTPConfig {
	return alerts.SMTPConfig{Host: c.Host, Port: c.Port, TLS: c.TLS, Username: c.Username, Password: c.Password}
}

package node

import "github.com/prometheus/client_golang/prometheus"

// stageMetrics are the pipeline counters served on /metrics.
type stageMetrics struct {
	crawled      prometheus.Counter
	indexed      prometheus.Counter
	indexSeconds prometheus.Histogram
	matched      prometheus.Counter
	mailed       prometheus.Counter
	mailErrors   prometheus.Counter
	mailSeconds  prometheus.Histogram
}

func newStageMetrics(reg *prometheus.Registry) *stageMetrics {
	m := &stageMetrics{
		crawled: prometheus.NewCounter(prometheus.CounterOpts{Name: "diembao_crawl_articles_published_total",
			Help: "Article revisions the crawler published on ARTICLES."}),
		indexed: prometheus.NewCounter(prometheus.CounterOpts{Name: "diembao_index_articles_total",
			Help: "Article revisions written to the index."}),
		indexSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "diembao_index_batch_seconds",
			Help: "Time to write one durable index batch.", Buckets: prometheus.DefBuckets}),
		matched: prometheus.NewCounter(prometheus.CounterOpts{Name: "diembao_match_articles_total",
			Help: "Article revisions run through the rule engine."}),
		mailed: prometheus.NewCounter(prometheus.CounterOpts{Name: "diembao_mail_sent_total",
			Help: "Mails the SMTP server accepted (or written as .eml)."}),
		mailErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "diembao_mail_errors_total",
			Help: "Mail delivery attempts that failed and will be retried or dead-lettered."}),
		mailSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "diembao_mail_send_seconds",
			Help: "Time for the SMTP server to accept one mail.", Buckets: prometheus.DefBuckets}),
	}
	reg.MustRegister(m.crawled, m.indexed, m.indexSeconds, m.matched, m.mailed, m.mailErrors, m.mailSeconds)
	return m
}

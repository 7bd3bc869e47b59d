package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/rules"
)

// cmdDigest is "diembao digest [--week 2026-W47 | --from D --to D]
// [--out FILE.html|FILE.pdf|FILE.txt|-] [--send [--resend]] [--audience A]
// [--nats URL]". It rebuilds a digest from the archive (the index and the
// alert records); the same archive gives byte-identical HTML and PDF. With
// no week nor range it builds the last complete week. Without --out nor
// --send it writes ban-tin-WEEK.html (--out - : HTML on stdout). The file
// (alerts/digest.WriteFile, whole or not at all) is the copy the UI archive
// keeps (alerts of sensitive audiences left out) unless --audience names
// the audience whose mail to render. --send keeps the digest in the UI
// archive and puts one mail per digest audience on the OUTBOX, the queue
// the alert mails use; a week already sent needs --resend.
//
// With --nats (or nats.url), or while `diembao run` of this data directory
// runs (its embedded server's loopback URL in DATA/nats/local.url), it
// searches through the index role over NATS. Otherwise it opens DATA/index
// read-only and the embedded JetStream store in DATA/nats.
func cmdDigest(ctx context.Context, a *app, args []string) int {
	o, err := parseDigestArgs(a, args)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: digest: %v", cli.ErrUsage, err))
	}
	if err := runDigest(ctx, a, o); err != nil {
		return a.exitCode(err)
	}
	return cli.ExitOK
}

type digestOpts struct {
	period   digest.Period
	out      string
	send     bool
	resend   bool
	audience string
	natsURL  string
}

func parseDigestArgs(a *app, args []string) (digestOpts, error) {
	var o digestOpts
	var week, from, to string
	var force bool
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&week, "week", "", "ISO week, e.g. 2026-W47 (default: the last complete week)")
	fs.StringVar(&from, "from", "", "first day YYYY-MM-DD (with --to)")
	fs.StringVar(&to, "to", "", "last day YYYY-MM-DD, inclusive (with --from)")
	fs.StringVar(&o.out, "out", "", "write FILE.html, FILE.pdf, FILE.docx or FILE.txt (- for HTML on stdout; default ban-tin-WEEK.html)")
	fs.BoolVar(&force, "force", false, "with --send: send a week (or range) that has not ended yet")
	fs.BoolVar(&o.send, "send", false, "put the digest mails on the OUTBOX")
	fs.BoolVar(&o.resend, "resend", false, "with --send: send a week that was already sent again")
	fs.StringVar(&o.audience, "audience", "", "render the mail of this audience (its alerts) instead of the archive copy")
	fs.StringVar(&o.natsURL, "nats", a.cfg.NATS.URL, "NATS URL of a running deployment (search through its index role)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	loc, now := a.cfg.Location(), time.Now()
	var err error
	if o.period, err = digest.ParsePeriod(week, from, to, loc, now); err != nil {
		return o, err
	}
	if err := digest.CheckOut(o.out); err != nil {
		return o, err
	}
	if o.send && !force && !o.period.Ended(now) {
		return o, fmt.Errorf("--send: the period ends %s, not yet; add --force to send it now", o.period.To.In(loc).Format("2006-01-02 15:04"))
	}
	if o.resend && !o.send {
		return o, errors.New("--resend goes with --send")
	}
	if _, ok := a.cfg.Audiences[o.audience]; o.audience != "" && !ok {
		return o, fmt.Errorf("--audience %q: not in the configuration's audiences", o.audience)
	}
	return o, nil
}

func runDigest(ctx context.Context, a *app, o digestOpts) error {
	deps, closeDeps, err := node.OpenDigestDeps(ctx, a.env(), o.natsURL, a.client().Running)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	defer closeDeps()
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: a.cfg.Rules}, a.log)
	if err != nil {
		return fmt.Errorf("digest: rules: %w", err)
	}
	deps.Topics = node.PackTopics(rl)
	b, s, err := node.DigestScheduler(a.cfg, deps, a.log)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	d, err := b.BuildPeriod(ctx, o.period)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	loc := a.cfg.Location()
	view := digest.Public(d, node.SensitiveAudiences(a.cfg))
	if o.audience != "" {
		view = digest.ForAudience(d, o.audience)
	}
	if o.out != "" || !o.send {
		out := cmp.Or(o.out, digest.FileName(d.Week))
		if err := digest.WriteFile(a.stdout, out, view, loc, officedoc.IssuerFrom(a.cfg.Office)); err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		if out != "-" {
			fmt.Fprintf(a.stderr, "đã ghi bản tin %s vào %s\n", d.Week, out)
		}
	}
	if !o.send {
		return nil
	}
	when, err := s.SendOnce(ctx, d, o.resend)
	if errors.Is(err, digest.ErrAlreadySent) {
		return fmt.Errorf("digest: %s was already sent at %s; add --resend to send it again", d.Week, when.In(loc).Format("2006-01-02 15:04"))
	}
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	n := len(node.DigestAudiences(a.cfg))
	fmt.Fprintf(a.stderr, "bản tin %s: %d thư đã vào hàng đợi OUTBOX (gửi khi vai trò notify chạy)\n", d.Week, n)
	return nil
}

package config

// Reports configures the year report reminder: from day Reminder (MM-DD,
// default "12-01") the notify role mails the Audience (default "office")
// once that the year report is due on Due (default "12-10"), with a link
// to the Reports page with the year prefilled. Reminder "off" disables it.
type Reports struct {
	Reminder string `yaml:"reminder"`
	Due      string `yaml:"due"`
	Audience string `yaml:"audience"`
}

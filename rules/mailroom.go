package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// MailroomFileName is the rule file of the mail-room exception alerts.
const MailroomFileName = "mailroom.rules.yml"

// Mail-room alert names.
const (
	alertMailroomHarmful = "MailroomHarmfulItemLogged"
	alertMailroomMissing = "MailroomDailyCountMissing"
)

// Input metrics of the mail-room exporter (exporters/mailroom, docs/MAILROOM.md).
const (
	mMRHarmful = "mailroom_harmful_items_total"
	mMRMissing = "mailroom_daily_count_missing"
)

// GenerateMailroom renders the mail-room exception alerts with
// DefaultMailroomConfig; nil when the catalogue has no mail room.
func GenerateMailroom(c *catalog.Catalog) ([]byte, error) {
	return GenerateMailroomWith(c, DefaultMailroomConfig())
}

// GenerateMailroomWith renders mailroom.rules.yml: MailroomHarmfulItemLogged
// and MailroomDailyCountMissing, per business_unit and region. Neither
// carries a po label: Alertmanager's root route sends them to the
// provider's duty managers (receiver provider-duty-manager).
func GenerateMailroomWith(c *catalog.Catalog, cfg MailroomConfig) ([]byte, error) {
	if c.MailRoom == nil {
		return nil, nil
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := group{Name: "slawatch-mailroom", Rules: []rule{mailroomHarmful(cfg), mailroomMissing(cfg)}}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s; do not edit\n", generatedMarker, filepath.Base(c.Source))
	buf.WriteString(mailroomComment(c, cfg))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ruleFile{Groups: []group{g}}); err != nil {
		return nil, fmt.Errorf("mail-room rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("mail-room rules: %w", err)
	}
	return buf.Bytes(), nil
}

func mailroomComment(c *catalog.Catalog, cfg MailroomConfig) string {
	var b strings.Builder
	b.WriteString("#\n")
	b.WriteString(wrapComment(`Mail-room exception alerts (SPEC.md "Mail room": compliance is reported by exception, as failures happen). `+
		`The counts come from the mail-room exporter (slawatch mailroom serve): daily and monthly count files and `+
		`scanner item events; exact figures are in the event store.`, "# ", "# "))
	b.WriteString(wrapComment(fmt.Sprintf(`%s (%s): mailroom_harmful_items_total rose in the last %s, from any source `+
		`(a daily or monthly count file, or a scanner event), per business unit and region; it resolves %s after the last one.`,
		alertMailroomHarmful, cfg.Severity, cfg.HarmfulWindow, cfg.HarmfulWindow), "# - ", "#   "))
	b.WriteString(wrapComment(fmt.Sprintf(`%s (%s): mailroom_daily_count_missing above 0 for %s: a day of the third-week `+
		`daily sample (%s) has no daily count although it is due; the exporter counts the days that fell due in its lookback `+
		`(default 31 days). It resolves when the count file arrives.`,
		alertMailroomMissing, cfg.Severity, cfg.MissingFor, c.MailRoom.DailySample), "# - ", "#   "))
	b.WriteString(wrapComment(`Neither has a po label: Alertmanager's root route sends them to the provider's duty `+
		`managers (receiver provider-duty-manager); a warning is posted to their channel, nobody is paged.`, "# ", "# "))
	b.WriteString("# Business units and regions (catalogue mail_room):\n")
	for _, bu := range c.MailRoom.BusinessUnits {
		fmt.Fprintf(&b, "#   %-20s %s\n", bu.ID, strings.Join(bu.RegionIDs(), ", "))
	}
	return b.String()
}

func mailroomHarmful(cfg MailroomConfig) rule {
	return rule{
		Alert:  alertMailroomHarmful,
		Expr:   fmt.Sprintf("sum by (business_unit, region) (increase(%s[%s])) > 0", mMRHarmful, cfg.HarmfulWindow),
		Labels: map[string]string{"severity": cfg.Severity},
		Annotations: map[string]string{
			"summary": "harmful or offensive item logged in the mail room: {{ $labels.business_unit }}/{{ $labels.region }}",
			"description": fmt.Sprintf("About {{ $value | printf \"%%.0f\" }} harmful or offensive item(s) were logged for business unit "+
				"{{ $labels.business_unit }}, region {{ $labels.region }} in the last %s (count files or scanner events). "+
				"Check the mail room's incident log that the item was isolated and reported under the office-services "+
				"procedure, and that the business unit was told.", cfg.HarmfulWindow),
		},
	}
}

func mailroomMissing(cfg MailroomConfig) rule {
	return rule{
		Alert:  alertMailroomMissing,
		Expr:   fmt.Sprintf("max by (business_unit, region) (%s) > 0", mMRMissing),
		For:    cfg.MissingFor,
		Labels: map[string]string{"severity": cfg.Severity},
		Annotations: map[string]string{
			"summary": "mail-room daily count missing: {{ $labels.business_unit }}/{{ $labels.region }}",
			"description": "{{ $value }} day(s) of the third-week daily sample have no daily count for business unit " +
				"{{ $labels.business_unit }}, region {{ $labels.region }} although it is due. Ask the mail room for the " +
				"daily count file (docs/MAILROOM.md); check the drop folder's rejected/ for a file with a reason.",
		},
	}
}

package mailroom

import (
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/store"
)

var parseToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestParseCountFileValid(t *testing.T) {
	mr := testCatalog(t).MailRoom
	// Columns in any order and case, a BOM, spaces around cells.
	cols := store.MailroomCountColumns()
	head := "\xef\xbb\xbfRegion, Date, Business_Unit, Period, " + strings.Join(cols, ", ")
	vals := make([]string, len(cols))
	for i := range vals {
		vals[i] = " " + string(rune('0'+i%10))
	}
	body := head + "\n" + "london, 2026-11-16, benefits, daily," + strings.Join(vals, ",") + "\r\n" +
		"wales,2026-11-16,benefits,DAILY," + strings.Repeat("0,", len(cols)-1) + "123456789\n"
	f, ferr := ParseCountFile([]byte(body), mr, parseToday)
	if ferr != nil {
		t.Fatal(ferr)
	}
	if f.Period != store.MailroomDaily || len(f.Rows) != 2 {
		t.Fatalf("%+v", f)
	}
	r := f.Rows[0]
	if r.BusinessUnit != "benefits" || r.Region != "london" || r.Day != "2026-11-16" || r.Counts.InboundRoyalMail != 0 ||
		r.Counts.InboundCourier != 1 || r.Counts.SwitchboardCallsAbandoned != 9 || r.Counts.ScanningJobs != 3 {
		t.Errorf("row 1: %+v", r)
	}
	if f.Rows[1].Counts.SwitchboardCallsAbandoned != 123456789 {
		t.Errorf("row 2: %+v", f.Rows[1])
	}
	m, ferr := ParseCountFile([]byte(csvFile("monthly,passports,london,2026-11,5000,1")), mr, parseToday)
	if ferr != nil || m.Period != store.MailroomMonthly || m.Rows[0].Day != "2026-11" || m.Rows[0].Counts.InboundRoyalMail != 5000 {
		t.Errorf("monthly: %+v %v", m, ferr)
	}
}

// Every rejection names the line, the column and what would be valid.
func TestParseCountFileInvalid(t *testing.T) {
	mr := testCatalog(t).MailRoom
	ok := "daily,benefits,london,2026-11-16,10,0"
	hdr := strings.Join(Header(), ",")
	for name, tc := range map[string]struct {
		body, code, want string
	}{
		"empty":          {"  \n", ReasonEmpty, "the file is empty"},
		"header only":    {hdr + "\n", ReasonEmpty, "a header and no rows"},
		"unknown column": {strings.Replace(csvFile(ok), "harmful", "harmfull", 1), ReasonHeader, `line 1, column "harmfull": unknown column; valid columns: period, business_unit, region, date, inbound_royal_mail`},
		"missing column": {strings.Replace(csvFile(ok), ",missing,", ",", 1), ReasonHeader, "line 1: missing column(s) missing; a count file has every column (write 0 for none)"},
		"twice":          {strings.Replace(csvFile(ok), "harmful", "missing", 1), ReasonHeader, "line 1, column missing: the column appears twice"},
		"field count":    {csvFile(ok) + "daily,benefits\n", ReasonCSV, "line 3: wrong number of fields; every row has the header's 24 columns"},
		"quote":          {csvFile(ok) + "\"daily,benefits\n", ReasonCSV, "line 3"},
		"period":         {csvFile("weekly,benefits,london,2026-11-16,1,0"), ReasonPeriod, `line 2, column period: "weekly"; want daily (date YYYY-MM-DD) or monthly (date YYYY-MM)`},
		"mixed":          {csvFile(ok, "monthly,benefits,london,2026-10,1,0"), ReasonPeriod, `line 3, column period: "monthly" but line 2 is "daily"; a file holds one period`},
		"unknown bu":     {csvFile(ok, "daily,tax,london,2026-11-16,1,0"), ReasonUnknownBusinessUnit, `line 3, column business_unit: "tax" is not a business unit of the catalogue; valid: benefits, passports`},
		"unknown region": {csvFile("daily,passports,wales,2026-11-16,1,0"), ReasonUnknownRegion, `line 2, column region: "wales" is not a region of business unit passports; valid: london`},
		"date":           {csvFile("daily,benefits,london,16/11/2026,1,0"), ReasonDate, `line 2, column date: "16/11/2026" is not a daily date; want YYYY-MM-DD`},
		"monthly date":   {csvFile("monthly,benefits,london,2026-11-01,1,0"), ReasonDate, `line 2, column date: "2026-11-01" is not a monthly date; want YYYY-MM`},
		"future":         {csvFile("daily,benefits,london,2026-11-24,1,0"), ReasonDate, "line 2, column date: 2026-11-24 is in the future (today is 2026-11-23)"},
		"future month":   {csvFile("monthly,benefits,london,2026-12,1,0"), ReasonDate, "line 2, column date: 2026-12 is in the future"},
		"negative":       {csvFile(ok, "daily,benefits,wales,2026-11-16,-1,0"), ReasonCount, `line 3, column inbound_royal_mail: "-1" is not a count; want a whole number from 0 to 999999999`},
		"decimal":        {csvFile("daily,benefits,wales,2026-11-16,1.5,0"), ReasonCount, `column inbound_royal_mail: "1.5" is not a count`},
		"thousands":      {strings.Replace(csvFile(ok), "2026-11-16,10,", "2026-11-16,\"1,500\",", 1), ReasonCount, `column inbound_royal_mail: "1,500" is not a count`},
		"too big":        {csvFile("daily,benefits,wales,2026-11-16,1000000000,0"), ReasonCount, `"1000000000" is not a count`},
		"empty cell":     {csvFile("daily,benefits,wales,2026-11-16,,0"), ReasonCount, "line 2, column inbound_royal_mail: empty; write 0 for none"},
		"duplicate row":  {csvFile(ok, "daily,benefits,wales,2026-11-16,1,0", ok), ReasonDuplicateRow, "line 4: benefits/london 2026-11-16 is on line 2 already"},
	} {
		t.Run(name, func(t *testing.T) {
			_, ferr := ParseCountFile([]byte(tc.body), mr, parseToday)
			if ferr == nil {
				t.Fatal("accepted")
			}
			if ferr.Code != tc.code || !strings.Contains(ferr.Error(), tc.want) {
				t.Errorf("got %s: %s\nwant %s: %s", ferr.Code, ferr, tc.code, tc.want)
			}
		})
	}
}

// The parser never panics, and whatever it accepts is what the store
// accepts: one period, known ids, counts in range, one row per key.
func FuzzParseCountFile(f *testing.F) {
	f.Add([]byte(csvFile("daily,benefits,london,2026-11-16,10,0", "daily,benefits,wales,2026-11-16,3,1")))
	f.Add([]byte(csvFile("monthly,passports,london,2026-10,5000,0")))
	f.Add([]byte("period,business_unit\n\"x\"\"y\",z\n"))
	f.Add([]byte(strings.Join(Header(), ",") + "\n"))
	mr := testCatalog(f).MailRoom
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, ferr := ParseCountFile(data, mr, parseToday)
		if ferr != nil {
			if ferr.Code == "" || ferr.Reason == "" {
				t.Fatalf("error without code or reason: %+v", ferr)
			}
			return
		}
		if len(cf.Rows) == 0 {
			t.Fatal("accepted a file without rows")
		}
		seen := map[[3]string]bool{}
		for _, r := range cf.Rows {
			bu, ok := mr.BusinessUnit(r.BusinessUnit)
			if r.Period != cf.Period || !ok || !bu.Region(r.Region) || seen[[3]string{r.BusinessUnit, r.Region, r.Day}] {
				t.Fatalf("accepted a bad row %+v of a %s file", r, cf.Period)
			}
			seen[[3]string{r.BusinessUnit, r.Region, r.Day}] = true
			for _, p := range r.Counts.Fields() {
				if *p < 0 || *p > store.MaxMailroomCount {
					t.Fatalf("count out of range: %+v", r)
				}
			}
		}
	})
}

package rules

import "time"

var testNow = time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)

const demoApprovals = `# Northwind's approved tools
- vendor: hubspot
  status: approved
  owner: marketing-ops@northwind.example
  ticket: IT-1001
  scopes: [openid, email, profile, "userinfo.*", "calendar.*"]
- {vendor: Salesforce, status: approved, owner: sales-ops@northwind.example}
- {vendor: zoom, status: approved}
- {vendor: slack, status: approved, expires: 2027-12-31}
- {vendor: segment, status: approved, aws_accounts: ["107630771604"]}
- {vendor: fullstory, status: approved, notes: session replay}
- {vendor: canva, status: tolerated, owner: brand@northwind.example}
- {vendor: semrush, status: review, ticket: IT-1203}
- {vendor: mailchimp, status: approved, expires: 2026-06-30}
- {vendor: apollo, status: banned, notes: scrapes mailboxes}
- {vendor: hotjar, status: tolerated, expires: "2026-11-15T09:00:00Z"}
`

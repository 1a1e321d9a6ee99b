package pgtest

import "testing"

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name, connString, want string
	}{
		{
			name:       "URL with a database",
			connString: "postgres://u:p@db.example:5432/folio?sslmode=require",
			want:       "postgres://u:p@db.example:5432/other?sslmode=require",
		},
		{
			name:       "URL over a socket",
			connString: "postgres://folio@/postgres?host=%2Ftmp%2Fx&port=5432",
			want:       "postgres://folio@/other?host=%2Ftmp%2Fx&port=5432",
		},
		{
			name:       "keyword/value",
			connString: "host=db.example dbname=folio",
			want:       "host=db.example dbname=folio dbname=other",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := withDatabase(tt.connString, "other")
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

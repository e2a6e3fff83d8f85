module lantern/gopar

go 1.19

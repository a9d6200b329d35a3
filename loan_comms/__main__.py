from loan_comms.cli.root import main

main()

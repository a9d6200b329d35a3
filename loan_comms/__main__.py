from loan_comms.cli import main

main()
